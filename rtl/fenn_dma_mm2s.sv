// MM2S data mover: reads DDR over the AXI4 read channels (256-bit beats, INCR bursts that never
// cross a 4 KiB boundary, several in flight) and writes each pair of beats as one 64-byte vector
// into the vector memory through the DMA's port. Twice the bandwidth the schedule needs
// (16 bytes a cycle), so it finishes on time whenever the slave keeps up.
module fenn_dma_mm2s #(
  parameter int unsigned VmemAw = 13
) (
  input  logic              clk_i,
  input  logic              rst_ni,

  input  logic              start_i,
  input  logic [31:0]       src_i,       // DDR byte address, 64-byte aligned
  input  logic [31:0]       dst_i,       // vector-memory byte address, 64-byte aligned
  input  logic [31:0]       count_i,     // bytes, a multiple of 64
  output logic              busy_o,
  output logic              err_o,       // a beat came back with SLVERR/DECERR

  output logic              arvalid_o,
  input  logic              arready_i,
  output logic [31:0]       araddr_o,
  output logic [7:0]        arlen_o,
  input  logic              rvalid_i,
  output logic              rready_o,
  input  logic [255:0]      rdata_i,
  input  logic [1:0]        rresp_i,

  output logic              vec_req_o,   // write vec_data_o at vec_addr_o
  input  logic              vec_gnt_i,
  output logic [VmemAw-1:0] vec_addr_o,
  output logic [511:0]      vec_data_o
);

  logic [31:0]       ar_addr_q, ar_left_q, burst_bytes;
  logic [VmemAw-1:0] vec_addr_q;
  logic [31:0]       vec_left_q;  // vectors still to write
  logic              half_q, vec_valid_q, err_q;
  logic [255:0]      low_q;
  logic [511:0]      vec_q;

  // Largest burst from ar_addr_q that stays inside its 4 KiB page.
  always_comb begin
    burst_bytes = 32'd4096 - {20'b0, ar_addr_q[11:0]};
    if (ar_left_q < burst_bytes) burst_bytes = ar_left_q;
  end

  logic ar_fire, r_fire, vec_done;
  assign arvalid_o = ar_left_q != 0;
  assign araddr_o  = ar_addr_q;
  assign arlen_o   = 8'(burst_bytes / 32 - 1);
  assign ar_fire   = arvalid_o && arready_i;
  // The second beat of a vector needs the vector register free (or freed this cycle).
  assign rready_o  = !half_q || !vec_valid_q || vec_gnt_i;
  assign r_fire    = rvalid_i && rready_o;
  assign vec_done  = vec_valid_q && vec_gnt_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_addr_q   <= '0;
      ar_left_q   <= '0;
      vec_addr_q  <= '0;
      vec_left_q  <= '0;
      half_q      <= 1'b0;
      vec_valid_q <= 1'b0;
      err_q       <= 1'b0;
      low_q       <= '0;
      vec_q       <= '0;
    end else if (start_i) begin
      ar_addr_q  <= src_i;
      ar_left_q  <= count_i;
      vec_addr_q <= dst_i[VmemAw+5:6];
      vec_left_q <= count_i / 64;
      half_q     <= 1'b0;
      err_q      <= 1'b0;
    end else begin
      if (ar_fire) begin
        ar_addr_q <= ar_addr_q + burst_bytes;
        ar_left_q <= ar_left_q - burst_bytes;
      end
      if (vec_done) begin
        vec_addr_q <= vec_addr_q + 1'b1;
        vec_left_q <= vec_left_q - 1;
      end
      if (r_fire) begin
        half_q <= !half_q;
        err_q  <= err_q || rresp_i != 2'b00;
        if (!half_q) low_q <= rdata_i;
        else         vec_q <= {rdata_i, low_q};
      end
      vec_valid_q <= (vec_valid_q && !vec_gnt_i) || (r_fire && half_q);
    end
  end

  assign busy_o     = vec_left_q != 0;
  assign err_o      = err_q;
  assign vec_req_o  = vec_valid_q;
  assign vec_addr_o = vec_addr_q;
  assign vec_data_o = vec_q;

  logic unused_dst;
  assign unused_dst = ^{dst_i[31:VmemAw+6], dst_i[5:0]};

`ifndef SYNTHESIS
  // Invariants (checked in the simulation build, Verilator --assert): no burst crosses a 4 KiB
  // boundary (AXI4), and a raised ARVALID stays up, its address and length unchanged, until
  // ARREADY.
  a_ar_4k: assert property (@(posedge clk_i) disable iff (!rst_ni)
      arvalid_o |-> 32'(araddr_o[11:0]) + 32 * (32'(arlen_o) + 1) <= 32'd4096)
    else $error("MM2S burst at %h, %0d beats, crosses a 4 KiB boundary", araddr_o, arlen_o + 1);
  a_ar_held: assert property (@(posedge clk_i) disable iff (!rst_ni)
      arvalid_o && !arready_i |=> arvalid_o && $stable(araddr_o) && $stable(arlen_o));
`endif

endmodule
