// Simulation-only wrapper of fenn_soc for cocotb (riscv_soc/rtl/driver.py); never synthesized.
//
// The clock comes from cocotb's C++ clock (a Verilog clock would let cocotbext-axi sample the
// AXI signals after the edge's updates); Python only awaits done_o. It holds the SoC in reset while
// run_i is low, turns max_cycles_i into halt_req at instruction boundaries, and gives the host
// backdoor access to the state through events the driver pulses, in this order per program:
//   load_i    zero every memory, then $readmemh the image's files from +memdir
//   scatter_i each lane copies its column of the lane-local image into its memory, zeroes its
//             vector registers
//   (run_i high until done_o)
//   gather_i  copy registers, counters, DMA registers, RNG and lane-local memories into the
//             *_dump signals and the lane-local image
//   dump_i    $writememh the memories into +memdir
// Files: imem.hex, dmem.hex (32-bit words), vmem.hex (512-bit vectors, lane 0 least significant),
// llm.hex (one 512-bit line per lane address, lane i in bits 16i+15:16i); out_*.hex for dumps.
module fenn_soc_tb #(
  parameter int unsigned ImemBytes    = 64 * 1024,
  parameter int unsigned DmemBytes    = 128 * 1024,
  parameter int unsigned VmemBytes    = 512 * 1024,
  parameter int unsigned LlmLaneBytes = 2 * 1024,
  parameter int unsigned DdrBytes     = 256 * 1024 * 1024
) (
  input  logic                clk,
  input  logic                run_i,
  input  logic [31:0]         boot_addr_i,
  input  logic [63:0]         max_cycles_i,
  input  logic                load_i,
  input  logic                scatter_i,
  input  logic                gather_i,
  input  logic                dump_i,
  output logic                done_o,
  output logic [2:0]          exit_o,
  output logic [3:0]          cause_o,
  output logic [31:0]         tval_o,
  output logic [31:0]         pc_o
);
  // State copied out by gather_i (signals, not ports: Verilator copies every public port of the
  // top on each clock edge).
  logic [32*32-1:0]   x_dump;         // x0..x31, x0 least significant
  logic [32*512-1:0]  v_dump;         // lane-major: lane l's 32 registers, v0 first
  logic [2*32*16-1:0] rng_dump;       // S0 of lanes 0..31, then S1
  logic [8*64-1:0]    counters_dump;  // mcycle, minstret, mhpmcounter3..8
  logic [8*32-1:0]    dma_dump;       // src, dst, count, status of MM2S, then S2MM

  localparam int unsigned Lanes    = 32;
  localparam int unsigned LlmWords = LlmLaneBytes / 2;

  // AXI4 port, bound by cocotbext-axi's AxiRam through the m_axi_ prefix.
  logic [0:0]   m_axi_awid, m_axi_bid, m_axi_arid, m_axi_rid;
  logic [31:0]  m_axi_awaddr, m_axi_araddr;
  logic [7:0]   m_axi_awlen, m_axi_arlen;
  logic [2:0]   m_axi_awsize, m_axi_arsize, m_axi_awprot, m_axi_arprot;
  logic [1:0]   m_axi_awburst, m_axi_arburst, m_axi_bresp, m_axi_rresp;
  logic         m_axi_awlock, m_axi_arlock;
  logic [3:0]   m_axi_awcache, m_axi_arcache;
  logic         m_axi_awvalid, m_axi_awready, m_axi_wlast, m_axi_wvalid, m_axi_wready;
  logic         m_axi_bvalid, m_axi_bready, m_axi_arvalid, m_axi_arready;
  logic         m_axi_rlast, m_axi_rvalid, m_axi_rready;
  logic [255:0] m_axi_wdata, m_axi_rdata;
  logic [31:0]  m_axi_wstrb;

  // The host's settings go through flops: nothing in the SoC then depends combinationally on a
  // testbench input, so Verilator evaluates its logic once per edge, not again per input change.
  logic        rst_n, halt_req;
  logic [31:0] boot_addr_q;
  logic [63:0] max_cycles_q;
  always_ff @(posedge clk) begin
    boot_addr_q  <= boot_addr_i;
    max_cycles_q <= max_cycles_i;
  end
  assign rst_n    = run_i;
  assign halt_req = u_soc.u_core.u_csr.count_q[0] >= max_cycles_q;

  fenn_soc #(
    .ImemBytes(ImemBytes), .DmemBytes(DmemBytes), .VmemBytes(VmemBytes),
    .LlmLaneBytes(LlmLaneBytes), .DdrBytes(DdrBytes)
  ) u_soc (
    .clk_i       (clk),
    .rst_ni      (rst_n),
    .boot_addr_i (boot_addr_q),
    .halt_req_i  (halt_req),
    .imem_we_i   (1'b0),
    .imem_waddr_i('0),
    .imem_wdata_i('0),
    .done_o, .exit_o, .cause_o, .tval_o, .pc_o,
    .m_axi_awid, .m_axi_awaddr, .m_axi_awlen, .m_axi_awsize, .m_axi_awburst, .m_axi_awlock,
    .m_axi_awcache, .m_axi_awprot, .m_axi_awvalid, .m_axi_awready,
    .m_axi_wdata, .m_axi_wstrb, .m_axi_wlast, .m_axi_wvalid, .m_axi_wready,
    .m_axi_bid, .m_axi_bresp, .m_axi_bvalid, .m_axi_bready,
    .m_axi_arid, .m_axi_araddr, .m_axi_arlen, .m_axi_arsize, .m_axi_arburst, .m_axi_arlock,
    .m_axi_arcache, .m_axi_arprot, .m_axi_arvalid, .m_axi_arready,
    .m_axi_rid, .m_axi_rdata, .m_axi_rresp, .m_axi_rlast, .m_axi_rvalid, .m_axi_rready
  );

  // ---------------------------------------------------------------- backdoor
  string memdir;
  initial begin
    if (!$value$plusargs("memdir=%s", memdir)) memdir = ".";
  end

  logic [511:0] llm_image [LlmWords];

  always @(posedge load_i) begin
    for (int i = 0; i < ImemBytes / 4; i++) u_soc.u_imem.mem_q[i] = '0;
    for (int i = 0; i < DmemBytes / 4; i++) u_soc.u_dmem.mem_q[i] = '0;
    for (int i = 0; i < VmemBytes / 64; i++) u_soc.u_vmem.mem_q[i] = '0;
    for (int i = 0; i < LlmWords; i++) llm_image[i] = '0;
    $readmemh({memdir, "/imem.hex"}, u_soc.u_imem.mem_q);
    $readmemh({memdir, "/dmem.hex"}, u_soc.u_dmem.mem_q);
    $readmemh({memdir, "/vmem.hex"}, u_soc.u_vmem.mem_q);
    $readmemh({memdir, "/llm.hex"}, llm_image);
  end

  always @(posedge dump_i) begin
    $writememh({memdir, "/out_imem.hex"}, u_soc.u_imem.mem_q);
    $writememh({memdir, "/out_dmem.hex"}, u_soc.u_dmem.mem_q);
    $writememh({memdir, "/out_vmem.hex"}, u_soc.u_vmem.mem_q);
    $writememh({memdir, "/out_llm.hex"}, llm_image);
  end

  always @(posedge gather_i) begin
    for (int r = 0; r < 32; r++) x_dump[32*r +: 32] = u_soc.u_core.rf_q[r];
    for (int c = 0; c < 8; c++) counters_dump[64*c +: 64] = u_soc.u_core.u_csr.count_q[c];
    dma_dump = {u_soc.u_dma.u_s2mm_channel.status_word, u_soc.u_dma.u_s2mm_channel.count_q,
                  u_soc.u_dma.u_s2mm_channel.dst_q, u_soc.u_dma.u_s2mm_channel.src_q,
                  u_soc.u_dma.u_mm2s_channel.status_word, u_soc.u_dma.u_mm2s_channel.count_q,
                  u_soc.u_dma.u_mm2s_channel.dst_q, u_soc.u_dma.u_mm2s_channel.src_q};
  end

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    always @(posedge scatter_i) begin
      for (int a = 0; a < LlmWords; a++) begin
        u_soc.u_vpu.g_lane[l].u_lane.u_llm.mem_q[a] = llm_image[a][16*l +: 16];
      end
      for (int r = 0; r < 32; r++) u_soc.u_vpu.g_lane[l].u_lane.vrf_q[r] = '0;
    end
    always @(posedge gather_i) begin
      for (int a = 0; a < LlmWords; a++) begin
        llm_image[a][16*l +: 16] = u_soc.u_vpu.g_lane[l].u_lane.u_llm.mem_q[a];
      end
      for (int r = 0; r < 32; r++) begin
        v_dump[512*l + 16*r +: 16] = u_soc.u_vpu.g_lane[l].u_lane.vrf_q[r];
      end
      rng_dump[16*l +: 16]       = u_soc.u_vpu.g_lane[l].u_lane.s0_q;
      rng_dump[512 + 16*l +: 16] = u_soc.u_vpu.g_lane[l].u_lane.s1_q;
    end
  end

endmodule
