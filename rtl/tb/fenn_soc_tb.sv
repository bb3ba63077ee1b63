// Simulation-only wrapper of fenn_soc for cocotb (riscv_soc/rtl/driver.py); never synthesized.
//
// It generates the clock (Verilator --timing: no Python per clock edge; Python only awaits
// done_o), holds the SoC in reset while run_i is low, turns max_cycles_i into halt_req at
// instruction boundaries, connects the AXI4 port to the DDR model (cocotbext-axi's AxiRam, on
// the ddr_* signals and ddr_clk) and gives the host backdoor access to the state through events
// the driver pulses, in this order per program:
//   load_i    zero every memory, then $readmemh the image's files from +memdir
//   scatter_i each lane copies its column of the lane-local image into its memory; the vector
//             registers are zeroed
//   (run_i high until done_o)
//   gather_i  copy registers, counters, DMA registers, RNG, the instruction word at pc and (if
//             dump_mask_i[3]) the lane-local memories into the *_dump signals and the image
//   dump_i    $writememh the memories dump_mask_i selects (bit 0 imem, 1 dmem, 2 vmem, 3 llm)
// Files: imem.hex, dmem.hex (32-bit words), vmem.hex (512-bit vectors, lane 0 least significant),
// llm.hex (one 512-bit line per lane address, lane i in bits 16i+15:16i); out_*.hex for dumps.
// With +commit_trace=DIR it writes the commit trace of program n (the n-th release of reset) to
// DIR/commits_<n>.txt: one line per retired instruction (riscv_soc/commit.py defines the record,
// riscv_soc/rtl/commits.py reads the lines), closed one cycle after done_o rises. With
// +dma_log=DIR it writes, for program n, DIR/dma_<n>.txt: one line "<channel> <late> <errors>" per
// DMA transfer that completes (channel 0 MM2S, 1 S2MM, in completion order), late = the cycles it
// completed after its schedule (docs/isa.md: a stalling DDR delays completion), errors = 1 when
// the DDR answered it with an error response.
module fenn_soc_tb #(
  parameter int unsigned ImemBytes    = 64 * 1024,
  parameter int unsigned DmemBytes    = 128 * 1024,
  parameter int unsigned VmemBytes    = 512 * 1024,
  parameter int unsigned LlmLaneBytes = 2 * 1024,
  parameter int unsigned DdrBytes     = 256 * 1024 * 1024
) (
  input  logic                run_i,
  input  logic [31:0]         boot_addr_i,
  input  logic [63:0]         max_cycles_i,
  input  logic                load_i,
  input  logic                scatter_i,
  input  logic                gather_i,
  input  logic                dump_i,
  input  logic [3:0]          dump_mask_i,
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
  logic [8*64-1:0]    counters_dump;  // cycles, instret, activity counters (mcountinhibit aside)
  logic [31:0]        inhibit_dump;   // mcountinhibit
  logic [8*32-1:0]    dma_dump;       // src, dst, count, status of MM2S, then S2MM
  logic [31:0]        instr_dump;     // the instruction word at pc_o (0 outside imem)

  localparam int unsigned Lanes    = fenn_isa_pkg::Lanes;
  localparam int unsigned LlmWords = LlmLaneBytes / 2;
  localparam int unsigned ImemAw   = $clog2(ImemBytes / 4);

  // ---------------------------------------------------------------- clocks
  // The SoC clock is generated here, never by Python.
  logic clk = 1'b0;
  always #5ns clk = ~clk;

  // The DDR model's clock: high in the second half of a cycle, only in cycles where the AXI port
  // can be busy (the SoC's ddr_busy_o in the cycle before: a DMA channel starts or is busy, and a
  // channel stays busy until its data mover, and so its AXI traffic, is done; and the first cycle
  // after reset, in which the model raises its readies). The enable changes while the clock is
  // low: no glitches. The model thus samples the SoC's outputs in mid-cycle, when they are
  // stable, and its own outputs reach the SoC through flops (below) at the next rising edge: cycle
  // for cycle a rising-edge AXI slave.
  // With no transfer in flight the model's coroutines are never woken (the driver watches ddr_en_q
  // and lets the model's channel monitors watch their signals only while it is high).
  logic ddr_busy, ddr_active, ddr_en_q, ddr_clk, first_q;
  assign ddr_active = ddr_busy || first_q;
  always_ff @(posedge clk) ddr_en_q <= ddr_active;
  assign ddr_clk = !clk && ddr_en_q;

  // ---------------------------------------------------------------- AXI4 port and DDR model
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

  // The model's side (AxiRam binds the ddr_ prefix): the SoC's outputs as they are, the model's
  // outputs through one flop each.
  logic [0:0]   ddr_awid, ddr_bid, ddr_arid, ddr_rid;
  logic [31:0]  ddr_awaddr, ddr_araddr;
  logic [7:0]   ddr_awlen, ddr_arlen;
  logic [2:0]   ddr_awsize, ddr_arsize, ddr_awprot, ddr_arprot;
  logic [1:0]   ddr_awburst, ddr_arburst, ddr_bresp, ddr_rresp;
  logic         ddr_awlock, ddr_arlock;
  logic [3:0]   ddr_awcache, ddr_arcache;
  logic         ddr_awvalid, ddr_awready, ddr_wlast, ddr_wvalid, ddr_wready;
  logic         ddr_bvalid, ddr_bready, ddr_arvalid, ddr_arready;
  logic         ddr_rlast, ddr_rvalid, ddr_rready;
  logic [255:0] ddr_wdata, ddr_rdata;
  logic [31:0]  ddr_wstrb;

  assign {ddr_awid, ddr_awaddr, ddr_awlen, ddr_awsize, ddr_awburst, ddr_awlock, ddr_awcache,
          ddr_awprot, ddr_awvalid} = {m_axi_awid, m_axi_awaddr, m_axi_awlen, m_axi_awsize,
          m_axi_awburst, m_axi_awlock, m_axi_awcache, m_axi_awprot, m_axi_awvalid};
  assign {ddr_wdata, ddr_wstrb, ddr_wlast, ddr_wvalid, ddr_bready} =
         {m_axi_wdata, m_axi_wstrb, m_axi_wlast, m_axi_wvalid, m_axi_bready};
  assign {ddr_arid, ddr_araddr, ddr_arlen, ddr_arsize, ddr_arburst, ddr_arlock, ddr_arcache,
          ddr_arprot, ddr_arvalid, ddr_rready} = {m_axi_arid, m_axi_araddr, m_axi_arlen,
          m_axi_arsize, m_axi_arburst, m_axi_arlock, m_axi_arcache, m_axi_arprot, m_axi_arvalid,
          m_axi_rready};
  always_ff @(posedge clk) begin
    {m_axi_awready, m_axi_wready, m_axi_bid, m_axi_bresp, m_axi_bvalid, m_axi_arready} <=
        {ddr_awready, ddr_wready, ddr_bid, ddr_bresp, ddr_bvalid, ddr_arready};
    {m_axi_rid, m_axi_rdata, m_axi_rresp, m_axi_rlast, m_axi_rvalid} <=
        {ddr_rid, ddr_rdata, ddr_rresp, ddr_rlast, ddr_rvalid};
  end

  // ---------------------------------------------------------------- the SoC
  // The host's settings go through flops: nothing in the SoC then depends combinationally on a
  // testbench input.
  logic        rst_n, halt_req;
  logic [31:0] boot_addr_q;
  logic [63:0] max_cycles_q;
  always_ff @(posedge clk) begin
    boot_addr_q  <= boot_addr_i;
    max_cycles_q <= max_cycles_i;
  end
  assign rst_n = run_i;

  // The DDR model raises its readies in the first cycle after reset (ddr_active above).
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) first_q <= 1'b1;
    else        first_q <= 1'b0;
  end

  // What the machine did, for MachineState and the cycle budget: the events the CSR file counts
  // (its count_d - count_q), counted whether or not mcountinhibit stops the CSRs.
  logic [63:0] total_q [8];
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      for (int c = 0; c < 8; c++) total_q[c] <= '0;
    end else begin
      for (int c = 0; c < 8; c++) begin
        total_q[c] <= total_q[c] + (u_soc.u_core.u_csr.count_d[c] - u_soc.u_core.u_csr.count_q[c]);
      end
    end
  end
  assign halt_req = total_q[0] >= max_cycles_q;

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
    .ddr_busy_o  (ddr_busy),
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
    for (int r = 0; r < 32; r++) u_soc.u_vpu.vrf_q[r] = '{default: '0};
    $readmemh({memdir, "/imem.hex"}, u_soc.u_imem.mem_q);
    $readmemh({memdir, "/dmem.hex"}, u_soc.u_dmem.mem_q);
    $readmemh({memdir, "/vmem.hex"}, u_soc.u_vmem.mem_q);
    $readmemh({memdir, "/llm.hex"}, llm_image);
  end

  always @(posedge dump_i) begin
    if (dump_mask_i[0]) $writememh({memdir, "/out_imem.hex"}, u_soc.u_imem.mem_q);
    if (dump_mask_i[1]) $writememh({memdir, "/out_dmem.hex"}, u_soc.u_dmem.mem_q);
    if (dump_mask_i[2]) $writememh({memdir, "/out_vmem.hex"}, u_soc.u_vmem.mem_q);
    if (dump_mask_i[3]) $writememh({memdir, "/out_llm.hex"}, llm_image);
  end

  always @(posedge gather_i) begin
    for (int r = 0; r < 32; r++) x_dump[32*r +: 32] = u_soc.u_core.rf_q[r];
    for (int c = 0; c < 8; c++) counters_dump[64*c +: 64] = total_q[c];
    inhibit_dump = u_soc.u_core.u_csr.inhibit_q;
    dma_dump = {u_soc.u_dma.u_s2mm_channel.status_word, u_soc.u_dma.u_s2mm_channel.count_q,
                u_soc.u_dma.u_s2mm_channel.dst_q, u_soc.u_dma.u_s2mm_channel.src_q,
                u_soc.u_dma.u_mm2s_channel.status_word, u_soc.u_dma.u_mm2s_channel.count_q,
                u_soc.u_dma.u_mm2s_channel.dst_q, u_soc.u_dma.u_mm2s_channel.src_q};
    instr_dump = pc_o < ImemBytes ? u_soc.u_imem.mem_q[pc_o[ImemAw+1:2]] : '0;
    for (int l = 0; l < Lanes; l++) begin
      for (int r = 0; r < 32; r++) v_dump[512*l + 16*r +: 16] = u_soc.u_vpu.vrf_q[r][l];
      rng_dump[16*l +: 16]       = u_soc.u_vpu.u_lanes.s0_q[l];
      rng_dump[512 + 16*l +: 16] = u_soc.u_vpu.u_lanes.s1_q[l];
    end
  end

  // Each lane's memory is its own instance: one block per lane (generate index).
  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    always @(posedge scatter_i) begin
      for (int a = 0; a < LlmWords; a++) begin
        u_soc.u_vpu.g_llm[l].u_llm.mem_q[a] = llm_image[a][16*l +: 16];
      end
    end
    always @(posedge gather_i) begin
      if (dump_mask_i[3]) begin
        for (int a = 0; a < LlmWords; a++) begin
          llm_image[a][16*l +: 16] = u_soc.u_vpu.g_llm[l].u_llm.mem_q[a];
        end
      end
    end
  end

  // ---------------------------------------------------------------- DMA completion log
  string dma_dir = "";
  int    dma_fd = 0, dma_n = 0;
  initial begin
    if (!$value$plusargs("dma_log=%s", dma_dir)) dma_dir = "";
  end
  final if (dma_fd != 0) $fclose(dma_fd);

  always @(posedge clk) begin
    if (dma_dir != "") begin
      if (!rst_n && dma_fd != 0) begin
        $fclose(dma_fd);
        dma_fd = 0;
      end else if (rst_n && dma_fd == 0) begin
        dma_fd = $fopen($sformatf("%s/dma_%0d.txt", dma_dir, dma_n), "w");
        dma_n  = dma_n + 1;
      end
      if (rst_n && u_soc.u_dma.u_mm2s_channel.finish) begin
        dma_log_line(0, u_soc.u_dma.u_mm2s_channel.elapsed_q
                        - u_soc.u_dma.u_mm2s_channel.deadline_q,
                     |u_soc.u_dma.u_mm2s_channel.mover_errs_i);
      end
      if (rst_n && u_soc.u_dma.u_s2mm_channel.finish) begin
        dma_log_line(1, u_soc.u_dma.u_s2mm_channel.elapsed_q
                        - u_soc.u_dma.u_s2mm_channel.deadline_q,
                     |u_soc.u_dma.u_s2mm_channel.mover_errs_i);
      end
    end
  end

  task automatic dma_log_line(int channel, logic [31:0] late, logic errors);
    $fwrite(dma_fd, "%0d %0d %0d\n", channel, late, errors);
    $fflush(dma_fd);  // read as soon as the program's state is
  endtask

  // ---------------------------------------------------------------- commit trace
  // An instruction's register writes land one cycle after it retires (WB), so its record is
  // captured when it retires and completed, with the values written, in the next cycle.
  localparam logic [7:0] WritesX = 8'd1, WritesV = 8'd2, Store = 8'd4, Vstore = 8'd8,
                         Lstore = 8'd16, Csr = 8'd32;  // riscv_soc.commit kind bits
  string        trace_dir = "";
  int           trace_fd = 0, trace_n = 0;
  bit           trace_armed = 1'b0, trace_pend = 1'b0;
  logic [7:0]   tr_kind, tr_rd, tr_vd;
  logic [31:0]  tr_pc, tr_word, tr_csr, tr_x, tr_addr, tr_mask, tr_data, tr_csr_data;
  logic [511:0] tr_vec;
  initial begin
    if (!$value$plusargs("commit_trace=%s", trace_dir)) trace_dir = "";
  end

  always @(posedge clk) begin
    if (trace_dir != "") begin
      if (!rst_n) begin
        trace_armed = 1'b1;
        trace_pend  = 1'b0;
      end else begin
        if (trace_armed) begin
          trace_fd    = $fopen($sformatf("%s/commits_%0d.txt", trace_dir, trace_n), "w");
          trace_n     = trace_n + 1;
          trace_armed = 1'b0;
        end
        if (trace_pend) trace_complete();
        if (u_soc.u_core.retire) trace_capture();
        if (done_o && !trace_pend && trace_fd != 0) begin
          $fclose(trace_fd);
          trace_fd = 0;
        end
      end
    end
  end

  // The retiring instruction: pc, word, memory and CSR writes.
  task automatic trace_capture();
    tr_pc   = u_soc.u_core.pc_q;
    tr_word = u_soc.u_core.instr;
    tr_kind = (u_soc.u_core.vec_op && u_soc.u_core.info.has_vd) ? WritesV : 8'd0;
    tr_rd   = '0;
    tr_x    = '0;
    tr_vd   = tr_kind == WritesV ? 8'(u_soc.u_core.rd) : 8'd0;
    {tr_csr, tr_csr_data, tr_addr, tr_mask, tr_data, tr_vec} = '0;
    if (u_soc.u_core.data_req_o && u_soc.u_core.data_we_o) begin
      tr_kind = tr_kind | Store;
      tr_addr = u_soc.u_core.data_addr_o;
      tr_mask = 32'(u_soc.u_core.data_be_o);
      for (int b = 0; b < 4; b++) begin
        if (u_soc.u_core.data_be_o[b]) tr_data[8*b +: 8] = u_soc.u_core.data_wdata_o[8*b +: 8];
      end
    end
    if (u_soc.u_vpu.vmem_req_o && u_soc.u_vpu.vmem_we_o) begin
      tr_kind = tr_kind | Vstore;
      tr_addr = u_soc.u_vpu.vmem_addr;
      tr_mask = '1;
      tr_vec  = u_soc.u_vpu.vmem_wdata_o;
    end
    if (u_soc.u_vpu.commit_i && u_soc.u_vpu.llm_store) begin
      tr_kind = tr_kind | Lstore;
      tr_addr = u_soc.u_vpu.llm_imm;
      tr_mask = u_soc.u_vpu.llm_en;
      tr_vec  = u_soc.u_vpu.vmem_wdata_o;  // the lanes of vs2, as the lane memories get them
    end
    if (u_soc.u_core.u_csr.commit_i && u_soc.u_core.u_csr.write_i) begin
      tr_kind     = tr_kind | Csr;
      tr_csr      = 32'(u_soc.u_core.u_csr.addr_i);
      tr_csr_data = u_soc.u_core.u_csr.dma_csr_wr_o.wdata;  // the written value, any CSR
    end
    trace_pend = 1'b1;
  endtask

  // The cycle after: the register writes of write-back, then the line.
  task automatic trace_complete();
    if (u_soc.u_core.wb_valid_q) begin
      tr_kind = tr_kind | WritesX;
      tr_rd   = 8'(u_soc.u_core.wb_rd_q);
      tr_x    = u_soc.u_core.wb_value;
    end
    if (tr_kind & WritesV) begin
      for (int l = 0; l < Lanes; l++) tr_vec[16*l +: 16] = u_soc.u_vpu.wb_row[l];
    end
    $fwrite(trace_fd, "%08x %08x %02x %02x %02x %08x %08x %08x %08x %08x %08x %0128x\n",
            tr_pc, tr_word, tr_kind, tr_rd, tr_vd, tr_csr, tr_x, tr_addr, tr_mask, tr_data,
            tr_csr_data, tr_vec);
    trace_pend = 1'b0;
  endtask

endmodule
