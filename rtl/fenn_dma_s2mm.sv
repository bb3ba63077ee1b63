// S2MM data mover: reads 64-byte vectors from the vector memory through the DMA's port into a
// two-entry buffer and writes them to DDR over the AXI4 write channels (256-bit beats, INCR bursts
// that never cross a 4 KiB boundary). Done when every burst has its write response.
module fenn_dma_s2mm #(
  parameter int unsigned VmemAw = 13
) (
  input  logic              clk_i,
  input  logic              rst_ni,

  input  logic              start_i,
  input  logic [31:0]       src_i,       // vector-memory byte address, 64-byte aligned
  input  logic [31:0]       dst_i,       // DDR byte address, 64-byte aligned
  input  logic [31:0]       count_i,     // bytes, a multiple of 64
  output logic              busy_o,
  output logic              err_o,       // a write response was SLVERR/DECERR

  output logic              rd_req_o,    // read the vector at rd_addr_o
  input  logic              rd_gnt_i,
  output logic [VmemAw-1:0] rd_addr_o,
  input  logic [511:0]      rd_data_i,   // the cycle after a granted read

  output logic              awvalid_o,
  input  logic              awready_i,
  output logic [31:0]       awaddr_o,
  output logic [7:0]        awlen_o,
  output logic              wvalid_o,
  input  logic              wready_i,
  output logic [255:0]      wdata_o,
  output logic              wlast_o,
  input  logic              bvalid_i,
  input  logic [1:0]        bresp_i
);

  logic [31:0]       aw_addr_q, aw_left_q, burst_bytes;
  logic [15:0]       aw_bursts_q, b_count_q;
  logic [VmemAw-1:0] rd_addr_q;
  logic [31:0]       rd_left_q;   // vectors still to read
  logic              inflight_q;  // a read was granted last cycle: its data is on rd_data_i
  logic [511:0]      buf_q [2];
  logic              head_q;
  logic [1:0]        fill_q;
  logic [31:0]       w_addr_q, w_left_q;  // DDR address and count of the W beats still to send
  logic              w_half_q, err_q;

  always_comb begin
    burst_bytes = 32'd4096 - {20'b0, aw_addr_q[11:0]};
    if (aw_left_q < burst_bytes) burst_bytes = aw_left_q;
  end

  logic aw_fire, w_fire, pop, push;
  assign awvalid_o = aw_left_q != 0;
  assign awaddr_o  = aw_addr_q;
  assign awlen_o   = 8'(burst_bytes / 32 - 1);
  assign aw_fire   = awvalid_o && awready_i;

  assign rd_req_o  = rd_left_q != 0 && 2'(fill_q) + 2'(inflight_q) < 2'd2;
  assign rd_addr_o = rd_addr_q;
  assign push      = inflight_q;

  assign wvalid_o  = fill_q != 2'd0;
  assign wdata_o   = w_half_q ? buf_q[head_q][511:256] : buf_q[head_q][255:0];
  // Bursts end at 4 KiB boundaries, exactly where the AW side split them.
  assign wlast_o   = w_addr_q[11:0] == 12'hfe0 || w_left_q == 32'd1;
  assign w_fire    = wvalid_o && wready_i;
  assign pop       = w_fire && w_half_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_addr_q   <= '0;
      aw_left_q   <= '0;
      aw_bursts_q <= '0;
      b_count_q   <= '0;
      rd_addr_q   <= '0;
      rd_left_q   <= '0;
      inflight_q  <= 1'b0;
      buf_q[0]    <= '0;
      buf_q[1]    <= '0;
      head_q      <= 1'b0;
      fill_q      <= '0;
      w_addr_q    <= '0;
      w_left_q    <= '0;
      w_half_q    <= 1'b0;
      err_q       <= 1'b0;
    end else if (start_i) begin
      aw_addr_q   <= dst_i;
      aw_left_q   <= count_i;
      aw_bursts_q <= '0;
      b_count_q   <= '0;
      rd_addr_q   <= src_i[VmemAw+5:6];
      rd_left_q   <= count_i / 64;
      head_q      <= 1'b0;
      fill_q      <= '0;
      w_addr_q    <= dst_i;
      w_left_q    <= count_i / 32;
      w_half_q    <= 1'b0;
      err_q       <= 1'b0;
    end else begin
      if (aw_fire) begin
        aw_addr_q   <= aw_addr_q + burst_bytes;
        aw_left_q   <= aw_left_q - burst_bytes;
        aw_bursts_q <= aw_bursts_q + 1'b1;
      end
      if (rd_req_o && rd_gnt_i) begin
        rd_addr_q <= rd_addr_q + 1'b1;
        rd_left_q <= rd_left_q - 1;
      end
      inflight_q <= rd_req_o && rd_gnt_i;
      if (push) buf_q[head_q ^ fill_q[0]] <= rd_data_i;
      fill_q <= fill_q + 2'(push) - 2'(pop);
      if (pop) head_q <= !head_q;
      if (w_fire) begin
        w_half_q <= !w_half_q;
        w_addr_q <= w_addr_q + 32'd32;
        w_left_q <= w_left_q - 1;
      end
      if (bvalid_i) begin
        b_count_q <= b_count_q + 1'b1;
        err_q     <= err_q || bresp_i != 2'b00;
      end
    end
  end

  assign busy_o = aw_left_q != 0 || w_left_q != 0 || b_count_q != aw_bursts_q;
  assign err_o  = err_q;

  logic unused_src;
  assign unused_src = ^{src_i[31:VmemAw+6], src_i[5:0]};

`ifndef SYNTHESIS
  // Invariants (checked in the simulation build, Verilator --assert): no burst crosses a 4 KiB
  // boundary (AXI4), and a raised AWVALID or WVALID stays up, its payload unchanged, until ready.
  a_aw_4k: assert property (@(posedge clk_i) disable iff (!rst_ni)
      awvalid_o |-> 32'(awaddr_o[11:0]) + 32 * (32'(awlen_o) + 1) <= 32'd4096)
    else $error("S2MM burst at %h, %0d beats, crosses a 4 KiB boundary", awaddr_o, awlen_o + 1);
  a_aw_held: assert property (@(posedge clk_i) disable iff (!rst_ni)
      awvalid_o && !awready_i |=> awvalid_o && $stable(awaddr_o) && $stable(awlen_o));
  a_w_held: assert property (@(posedge clk_i) disable iff (!rst_ni)
      wvalid_o && !wready_i |=> wvalid_o && $stable(wdata_o) && $stable(wlast_o));
`endif

endmodule
