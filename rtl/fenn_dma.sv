// The FeNN-DMA engine: two independent channels, MM2S (DDR -> vector memory) and S2MM (vector
// memory -> DDR), programmed through CSRs, with one AXI4 master port (256-bit data) to DDR and
// port B of the vector memory. Port B goes to a waiting MM2S vector first: MM2S produces at most
// one vector every two cycles, so S2MM still gets every other cycle.
module fenn_dma
  import fenn_isa_pkg::*;
  import fenn_pkg::*;
#(
  parameter int unsigned VmemBytes = 512 * 1024,
  parameter int unsigned DdrBytes  = 256 * 1024 * 1024,
  localparam int unsigned VmemAw = $clog2(VmemBytes / 64)
) (
  input  logic               clk_i,
  input  logic               rst_ni,

  input  dma_csr_addr_t      csr_addr_i,
  input  dma_csr_wr_t        csr_wr_i,
  output logic [31:0]        csr_rdata_o,
  output logic [20:0]        done_bytes_o,  // bytes of transfers completing this cycle

  // Vector memory port B.
  output logic               vmem_req_o,
  output logic               vmem_we_o,
  output logic [VmemAw-1:0]  vmem_addr_o,
  output logic [511:0]       vmem_wdata_o,
  input  logic [511:0]       vmem_rdata_i,

  // AXI4 master (ID 0, INCR bursts of 32-byte beats); S2MM drives the write channels, MM2S the
  // read channels.
  output axi_req_t           axi_req_o,
  input  axi_resp_t          axi_resp_i,
  output logic               ddr_busy_o     // a channel starts or is busy: AXI may be in use
);

  dma_csr_wr_t  wr_mm2s, wr_s2mm;
  logic [31:0]  rdata_mm2s, rdata_s2mm;
  logic [19:0]  done_mm2s, done_s2mm;

  always_comb begin
    wr_mm2s    = csr_wr_i;
    wr_s2mm    = csr_wr_i;
    wr_mm2s.we = csr_wr_i.we && !csr_addr_i.s2mm;
    wr_s2mm.we = csr_wr_i.we && csr_addr_i.s2mm;
  end
  assign csr_rdata_o  = csr_addr_i.s2mm ? rdata_s2mm : rdata_mm2s;
  assign done_bytes_o = 21'(done_mm2s) + 21'(done_s2mm);

  // ---------------------------------------------------------------- MM2S
  logic        mm2s_start, mm2s_busy, mm2s_active, mm2s_req, mm2s_gnt;
  axi_errs_t   mm2s_errs;
  logic [31:0] mm2s_src, mm2s_dst, mm2s_count;
  logic [VmemAw-1:0] mm2s_addr;
  logic [511:0] mm2s_data;

  fenn_dma_channel #(.SrcBytes(DdrBytes), .DstBytes(VmemBytes)) u_mm2s_channel (
    .clk_i, .rst_ni,
    .sel_i       (csr_addr_i.sel),
    .wr_i        (wr_mm2s),
    .csr_rdata_o (rdata_mm2s),
    .start_o     (mm2s_start),
    .src_o       (mm2s_src),
    .dst_o       (mm2s_dst),
    .count_o     (mm2s_count),
    .mover_busy_i(mm2s_busy),
    .mover_errs_i(mm2s_errs),
    .active_o    (mm2s_active),
    .done_bytes_o(done_mm2s)
  );

  fenn_dma_mm2s #(.VmemAw(VmemAw)) u_mm2s (
    .clk_i, .rst_ni,
    .start_i   (mm2s_start),
    .src_i     (mm2s_src),
    .dst_i     (mm2s_dst),
    .count_i   (mm2s_count),
    .busy_o    (mm2s_busy),
    .errs_o    (mm2s_errs),
    .axi_o     (axi_req_o.rd),
    .axi_i     (axi_resp_i.rd),
    .vec_req_o (mm2s_req),
    .vec_gnt_i (mm2s_gnt),
    .vec_addr_o(mm2s_addr),
    .vec_data_o(mm2s_data)
  );

  // ---------------------------------------------------------------- S2MM
  logic        s2mm_start, s2mm_busy, s2mm_active, s2mm_req, s2mm_gnt;
  axi_errs_t   s2mm_errs;
  logic [31:0] s2mm_src, s2mm_dst, s2mm_count;
  logic [VmemAw-1:0] s2mm_addr;

  fenn_dma_channel #(.SrcBytes(VmemBytes), .DstBytes(DdrBytes)) u_s2mm_channel (
    .clk_i, .rst_ni,
    .sel_i       (csr_addr_i.sel),
    .wr_i        (wr_s2mm),
    .csr_rdata_o (rdata_s2mm),
    .start_o     (s2mm_start),
    .src_o       (s2mm_src),
    .dst_o       (s2mm_dst),
    .count_o     (s2mm_count),
    .mover_busy_i(s2mm_busy),
    .mover_errs_i(s2mm_errs),
    .active_o    (s2mm_active),
    .done_bytes_o(done_s2mm)
  );

  fenn_dma_s2mm #(.VmemAw(VmemAw)) u_s2mm (
    .clk_i, .rst_ni,
    .start_i  (s2mm_start),
    .src_i    (s2mm_src),
    .dst_i    (s2mm_dst),
    .count_i  (s2mm_count),
    .busy_o   (s2mm_busy),
    .errs_o   (s2mm_errs),
    .rd_req_o (s2mm_req),
    .rd_gnt_i (s2mm_gnt),
    .rd_addr_o(s2mm_addr),
    .rd_data_i(vmem_rdata_i),
    .axi_o    (axi_req_o.wr),
    .axi_i    (axi_resp_i.wr)
  );

  // ---------------------------------------------------------------- port B
  assign mm2s_gnt     = mm2s_req;
  assign s2mm_gnt     = s2mm_req && !mm2s_req;
  assign vmem_req_o   = mm2s_req || s2mm_req;
  assign vmem_we_o    = mm2s_req;
  assign vmem_addr_o  = mm2s_req ? mm2s_addr : s2mm_addr;
  assign vmem_wdata_o = mm2s_data;
  assign ddr_busy_o   = mm2s_active || s2mm_active;

endmodule
