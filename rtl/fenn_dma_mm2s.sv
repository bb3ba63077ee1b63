// MM2S data mover: reads DDR over the AXI4 read channels (256-bit beats, INCR bursts that never
// cross a 4 KiB boundary, several in flight) and writes each pair of beats as one 64-byte vector
// into the vector memory through the DMA's port. Twice the bandwidth the schedule needs
// (16 bytes a cycle), so it finishes on time whenever the slave keeps up. A vector with a beat
// answered SLVERR or DECERR is not written (docs/isa.md, "DDR error responses"); the transfer
// still reads every beat.
module fenn_dma_mm2s
  import fenn_pkg::*;
#(
  parameter int unsigned VmemAw = 13
) (
  input  logic              clk_i,
  input  logic              rst_ni,

  input  logic              start_i,
  input  logic [31:0]       src_i,       // DDR byte address, 64-byte aligned
  input  logic [31:0]       dst_i,       // vector-memory byte address, 64-byte aligned
  input  logic [31:0]       count_i,     // bytes, a multiple of 64
  output logic              busy_o,
  output axi_errs_t         errs_o,      // the error responses of the transfer so far

  output axi_rd_req_t       axi_o,
  input  axi_rd_resp_t      axi_i,

  output logic              vec_req_o,   // write vec_data_o at vec_addr_o
  input  logic              vec_gnt_i,
  output logic [VmemAw-1:0] vec_addr_o,
  output logic [511:0]      vec_data_o
);

  logic [31:0]       ar_addr_q, ar_left_q, burst_bytes;
  logic [VmemAw-1:0] vec_addr_q;
  logic [31:0]       vec_left_q;  // vectors still to write (or drop)
  logic              half_q, vec_valid_q, low_err_q, vec_err_q;
  axi_errs_t         errs_q;
  logic [255:0]      low_q;
  logic [511:0]      vec_q;

  // Largest burst from ar_addr_q that stays inside its 4 KiB page.
  always_comb begin
    burst_bytes = 32'd4096 - {20'b0, ar_addr_q[11:0]};
    if (ar_left_q < burst_bytes) burst_bytes = ar_left_q;
  end

  logic ar_fire, r_fire, r_err, vec_done;
  assign axi_o.ar_valid = ar_left_q != 0;
  assign axi_o.ar.addr  = ar_addr_q;
  assign axi_o.ar.len   = 8'(burst_bytes / 32 - 1);
  assign ar_fire        = axi_o.ar_valid && axi_i.ar_ready;
  // The second beat of a vector needs the vector register free (or freed this cycle).
  assign axi_o.r_ready  = !half_q || !vec_valid_q || vec_done;
  assign r_fire         = axi_i.r_valid && axi_o.r_ready;
  assign r_err          = axi_i.r_resp inside {AxiSlvErr, AxiDecErr};
  // A vector with an error beat leaves the register without a write.
  assign vec_done       = vec_valid_q && (vec_gnt_i || vec_err_q);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_addr_q   <= '0;
      ar_left_q   <= '0;
      vec_addr_q  <= '0;
      vec_left_q  <= '0;
      half_q      <= 1'b0;
      vec_valid_q <= 1'b0;
      low_err_q   <= 1'b0;
      vec_err_q   <= 1'b0;
      errs_q      <= '0;
      low_q       <= '0;
      vec_q       <= '0;
    end else if (start_i) begin
      ar_addr_q  <= src_i;
      ar_left_q  <= count_i;
      vec_addr_q <= dst_i[VmemAw+5:6];
      vec_left_q <= count_i / 64;
      half_q     <= 1'b0;
      errs_q     <= '0;
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
        errs_q.slv_err <= errs_q.slv_err || axi_i.r_resp == AxiSlvErr;
        errs_q.dec_err <= errs_q.dec_err || axi_i.r_resp == AxiDecErr;
        if (!half_q) begin
          low_q     <= axi_i.r_data;
          low_err_q <= r_err;
        end else begin
          vec_q     <= {axi_i.r_data, low_q};
          vec_err_q <= low_err_q || r_err;
        end
      end
      vec_valid_q <= (vec_valid_q && !vec_done) || (r_fire && half_q);
    end
  end

  assign busy_o     = vec_left_q != 0;
  assign errs_o     = errs_q;
  assign vec_req_o  = vec_valid_q && !vec_err_q;
  assign vec_addr_o = vec_addr_q;
  assign vec_data_o = vec_q;

  logic unused_dst;
  assign unused_dst = ^{dst_i[31:VmemAw+6], dst_i[5:0]};

`ifndef SYNTHESIS
  // Invariants (checked in the simulation build, Verilator --assert): no burst crosses a 4 KiB
  // boundary (AXI4), and a raised ARVALID stays up, its address and length unchanged, until
  // ARREADY.
  a_ar_4k: assert property (@(posedge clk_i) disable iff (!rst_ni)
      axi_o.ar_valid |-> 32'(axi_o.ar.addr[11:0]) + 32 * (32'(axi_o.ar.len) + 1) <= 32'd4096)
    else $error("MM2S burst at %h, %0d beats, crosses a 4 KiB boundary", axi_o.ar.addr,
                axi_o.ar.len + 1);
  a_ar_held: assert property (@(posedge clk_i) disable iff (!rst_ni)
      axi_o.ar_valid && !axi_i.ar_ready |=> axi_o.ar_valid && $stable(axi_o.ar));
`endif

endmodule
