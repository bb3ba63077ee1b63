// S2MM data mover: reads 64-byte vectors from the vector memory through the DMA's port into a
// two-entry buffer and writes them to DDR over the AXI4 write channels (256-bit beats, INCR bursts
// that never cross a 4 KiB boundary). Done when every burst has its write response, whatever
// the response (docs/isa.md, "DDR error responses").
module fenn_dma_s2mm
  import fenn_pkg::*;
#(
  parameter int unsigned VmemAw = 13
) (
  input  logic              clk_i,
  input  logic              rst_ni,

  input  logic              start_i,
  input  logic [31:0]       src_i,       // vector-memory byte address, 64-byte aligned
  input  logic [31:0]       dst_i,       // DDR byte address, 64-byte aligned
  input  logic [31:0]       count_i,     // bytes, a multiple of 64
  output logic              busy_o,
  output axi_errs_t         errs_o,      // the error responses of the transfer so far

  output logic              rd_req_o,    // read the vector at rd_addr_o
  input  logic              rd_gnt_i,
  output logic [VmemAw-1:0] rd_addr_o,
  input  logic [511:0]      rd_data_i,   // the cycle after a granted read

  output axi_wr_req_t       axi_o,
  input  axi_wr_resp_t      axi_i
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
  logic              w_half_q;
  axi_errs_t         errs_q;

  always_comb begin
    burst_bytes = 32'd4096 - {20'b0, aw_addr_q[11:0]};
    if (aw_left_q < burst_bytes) burst_bytes = aw_left_q;
  end

  logic aw_fire, w_fire, pop, push;
  assign axi_o.aw_valid = aw_left_q != 0;
  assign axi_o.aw.addr  = aw_addr_q;
  assign axi_o.aw.len   = 8'(burst_bytes / 32 - 1);
  assign axi_o.b_ready  = 1'b1;
  assign aw_fire        = axi_o.aw_valid && axi_i.aw_ready;

  assign rd_req_o  = rd_left_q != 0 && 2'(fill_q) + 2'(inflight_q) < 2'd2;
  assign rd_addr_o = rd_addr_q;
  assign push      = inflight_q;

  assign axi_o.w_valid = fill_q != 2'd0;
  assign axi_o.w_data  = w_half_q ? buf_q[head_q][511:256] : buf_q[head_q][255:0];
  // Bursts end at 4 KiB boundaries, exactly where the AW side split them.
  assign axi_o.w_last  = w_addr_q[11:0] == 12'hfe0 || w_left_q == 32'd1;
  assign w_fire        = axi_o.w_valid && axi_i.w_ready;
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
      errs_q      <= '0;
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
      errs_q      <= '0;
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
      if (axi_i.b_valid) begin
        b_count_q      <= b_count_q + 1'b1;
        errs_q.slv_err <= errs_q.slv_err || axi_i.b_resp == AxiSlvErr;
        errs_q.dec_err <= errs_q.dec_err || axi_i.b_resp == AxiDecErr;
      end
    end
  end

  assign busy_o = aw_left_q != 0 || w_left_q != 0 || b_count_q != aw_bursts_q;
  assign errs_o = errs_q;

  logic unused_src;
  assign unused_src = ^{src_i[31:VmemAw+6], src_i[5:0]};

`ifndef SYNTHESIS
  // Invariants (checked in the simulation build, Verilator --assert): no burst crosses a 4 KiB
  // boundary (AXI4), and a raised AWVALID or WVALID stays up, its payload unchanged, until ready.
  a_aw_4k: assert property (@(posedge clk_i) disable iff (!rst_ni)
      axi_o.aw_valid |-> 32'(axi_o.aw.addr[11:0]) + 32 * (32'(axi_o.aw.len) + 1) <= 32'd4096)
    else $error("S2MM burst at %h, %0d beats, crosses a 4 KiB boundary", axi_o.aw.addr,
                axi_o.aw.len + 1);
  a_aw_held: assert property (@(posedge clk_i) disable iff (!rst_ni)
      axi_o.aw_valid && !axi_i.aw_ready |=> axi_o.aw_valid && $stable(axi_o.aw));
  a_w_held: assert property (@(posedge clk_i) disable iff (!rst_ni)
      axi_o.w_valid && !axi_i.w_ready |=> axi_o.w_valid && $stable(axi_o.w_data)
                                          && $stable(axi_o.w_last));
`endif

endmodule
