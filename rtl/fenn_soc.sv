// FeNN-DMA SoC top: scalar core, vector unit, DMA engine and the on-chip memories (instruction
// BRAM, scalar data BRAM, vector-memory URAM; the lane-local memories live in the vector lanes),
// with one AXI4 master port to DDR. Memory sizes are parameters; the defaults are FeNN-DMA's
// (riscv_soc.soc.SocConfig). The host uploads code through the instruction-memory write port
// (FeNN-DMA: an AXI BRAM controller), releases reset and waits for done_o.
module fenn_soc
  import fenn_isa_pkg::*;
  import fenn_pkg::*;
#(
  parameter int unsigned ImemBytes    = 64 * 1024,
  parameter int unsigned DmemBytes    = 128 * 1024,
  parameter int unsigned VmemBytes    = 512 * 1024,
  parameter int unsigned LlmLaneBytes = 2 * 1024,
  parameter int unsigned DdrBytes     = 256 * 1024 * 1024,
  localparam int unsigned ImemAw = $clog2(ImemBytes / 4),
  localparam int unsigned DmemAw = $clog2(DmemBytes / 4),
  localparam int unsigned VmemAw = $clog2(VmemBytes / 64)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic [31:0]       boot_addr_i,
  input  logic              halt_req_i,    // stop at the next instruction boundary

  // Host code upload into instruction memory (one word a cycle).
  input  logic              imem_we_i,
  input  logic [ImemAw-1:0] imem_waddr_i,
  input  logic [31:0]       imem_wdata_i,

  // The ready flag and how the run ended (valid while done_o).
  output logic              done_o,
  output logic [2:0]        exit_o,        // fenn_isa_pkg::exit_e
  output logic [3:0]        cause_o,       // fenn_isa_pkg::cause_e
  output logic [31:0]       tval_o,
  output logic [31:0]       pc_o,
  // The AXI port may be busy: a DMA channel starts or has a transfer in flight (from the
  // start cycle until its data mover is done). Idle, the port's outputs stay still.
  output logic              ddr_busy_o,

  // AXI4 master to DDR: 32-bit addresses (offsets into DDR), 256-bit data, ID 0.
  output logic [0:0]        m_axi_awid,
  output logic [31:0]       m_axi_awaddr,
  output logic [7:0]        m_axi_awlen,
  output logic [2:0]        m_axi_awsize,
  output logic [1:0]        m_axi_awburst,
  output logic              m_axi_awlock,
  output logic [3:0]        m_axi_awcache,
  output logic [2:0]        m_axi_awprot,
  output logic              m_axi_awvalid,
  input  logic              m_axi_awready,
  output logic [255:0]      m_axi_wdata,
  output logic [31:0]       m_axi_wstrb,
  output logic              m_axi_wlast,
  output logic              m_axi_wvalid,
  input  logic              m_axi_wready,
  input  logic [0:0]        m_axi_bid,
  input  logic [1:0]        m_axi_bresp,
  input  logic              m_axi_bvalid,
  output logic              m_axi_bready,
  output logic [0:0]        m_axi_arid,
  output logic [31:0]       m_axi_araddr,
  output logic [7:0]        m_axi_arlen,
  output logic [2:0]        m_axi_arsize,
  output logic [1:0]        m_axi_arburst,
  output logic              m_axi_arlock,
  output logic [3:0]        m_axi_arcache,
  output logic [2:0]        m_axi_arprot,
  output logic              m_axi_arvalid,
  input  logic              m_axi_arready,
  input  logic [0:0]        m_axi_rid,
  input  logic [255:0]      m_axi_rdata,
  input  logic [1:0]        m_axi_rresp,
  input  logic              m_axi_rlast,
  input  logic              m_axi_rvalid,
  output logic              m_axi_rready
);

  // ---------------------------------------------------------------- core
  logic [31:0]     instr_addr, instr_rdata;
  logic            data_req, data_we;
  logic [3:0]      data_be;
  logic [31:0]     data_addr, data_wdata, data_rdata;
  logic            vpu_issue_valid, vpu_commit;
  vpu_issue_req_t  vpu_issue_req;
  vpu_issue_resp_t vpu_issue_resp;
  vpu_result_t     vpu_result;
  dma_csr_addr_t   dma_csr_addr;
  dma_csr_wr_t     dma_csr_wr;
  logic [31:0]     dma_csr_rdata;
  logic [20:0]     dma_bytes;
  exit_e           exit_code;
  cause_e          cause;

  fenn_core #(.ImemBytes(ImemBytes), .DmemBytes(DmemBytes)) u_core (
    .clk_i, .rst_ni, .boot_addr_i, .halt_req_i,
    .instr_addr_o     (instr_addr),
    .instr_rdata_i    (instr_rdata),
    .data_req_o       (data_req),
    .data_we_o        (data_we),
    .data_be_o        (data_be),
    .data_addr_o      (data_addr),
    .data_wdata_o     (data_wdata),
    .data_rdata_i     (data_rdata),
    .vpu_issue_valid_o(vpu_issue_valid),
    .vpu_issue_req_o  (vpu_issue_req),
    .vpu_issue_resp_i (vpu_issue_resp),
    .vpu_commit_o     (vpu_commit),
    .vpu_result_i     (vpu_result),
    .dma_csr_addr_o   (dma_csr_addr),
    .dma_csr_wr_o     (dma_csr_wr),
    .dma_csr_rdata_i  (dma_csr_rdata),
    .dma_bytes_i      (dma_bytes),
    .done_o,
    .exit_o           (exit_code),
    .cause_o          (cause),
    .tval_o,
    .pc_o
  );
  assign exit_o  = exit_code;
  assign cause_o = cause;

  // ---------------------------------------------------------------- memories
  logic [31:0] imem_unused_rdata;
  fenn_ram_2p #(.Width(32), .Depth(ImemBytes / 4)) u_imem (
    .clk_i,
    .a_req_i  (1'b1),
    .a_we_i   (1'b0),
    .a_addr_i (instr_addr[ImemAw+1:2]),
    .a_wdata_i('0),
    .a_rdata_o(instr_rdata),
    .b_req_i  (imem_we_i),
    .b_we_i   (1'b1),
    .b_addr_i (imem_waddr_i),
    .b_wdata_i(imem_wdata_i),
    .b_rdata_o(imem_unused_rdata)
  );

  fenn_ram_1p #(.Width(32), .Depth(DmemBytes / 4)) u_dmem (
    .clk_i,
    .req_i  (data_req),
    .we_i   (data_we),
    .be_i   (data_be),
    .addr_i (data_addr[DmemAw+1:2]),
    .wdata_i(data_wdata),
    .rdata_o(data_rdata)
  );

  logic              vmem_a_req, vmem_a_we, vmem_b_req, vmem_b_we;
  logic [VmemAw-1:0] vmem_a_addr, vmem_b_addr;
  logic [511:0]      vmem_a_wdata, vmem_a_rdata, vmem_b_wdata, vmem_b_rdata;

  fenn_ram_2p #(.Width(512), .Depth(VmemBytes / 64), .RamStyle("ultra")) u_vmem (
    .clk_i,
    .a_req_i  (vmem_a_req),
    .a_we_i   (vmem_a_we),
    .a_addr_i (vmem_a_addr),
    .a_wdata_i(vmem_a_wdata),
    .a_rdata_o(vmem_a_rdata),
    .b_req_i  (vmem_b_req),
    .b_we_i   (vmem_b_we),
    .b_addr_i (vmem_b_addr),
    .b_wdata_i(vmem_b_wdata),
    .b_rdata_o(vmem_b_rdata)
  );

  // ---------------------------------------------------------------- vector unit
  fenn_vpu #(.VmemBytes(VmemBytes), .LlmLaneBytes(LlmLaneBytes)) u_vpu (
    .clk_i, .rst_ni,
    .issue_valid_i(vpu_issue_valid),
    .issue_req_i  (vpu_issue_req),
    .issue_resp_o (vpu_issue_resp),
    .commit_i     (vpu_commit),
    .result_o     (vpu_result),
    .vmem_req_o   (vmem_a_req),
    .vmem_we_o    (vmem_a_we),
    .vmem_addr_o  (vmem_a_addr),
    .vmem_wdata_o (vmem_a_wdata),
    .vmem_rdata_i (vmem_a_rdata)
  );

  // ---------------------------------------------------------------- DMA
  axi_req_t  axi_req;
  axi_resp_t axi_resp;

  fenn_dma #(.VmemBytes(VmemBytes), .DdrBytes(DdrBytes)) u_dma (
    .clk_i, .rst_ni,
    .csr_addr_i   (dma_csr_addr),
    .csr_wr_i     (dma_csr_wr),
    .csr_rdata_o  (dma_csr_rdata),
    .done_bytes_o (dma_bytes),
    .vmem_req_o   (vmem_b_req),
    .vmem_we_o    (vmem_b_we),
    .vmem_addr_o  (vmem_b_addr),
    .vmem_wdata_o (vmem_b_wdata),
    .vmem_rdata_i (vmem_b_rdata),
    .axi_req_o    (axi_req),
    .axi_resp_i   (axi_resp),
    .ddr_busy_o
  );

  // ---------------------------------------------------------------- AXI4 port
  // The structs flattened into the m_axi_* ports, the only place they are.
  assign m_axi_awvalid = axi_req.wr.aw_valid;
  assign m_axi_awaddr  = axi_req.wr.aw.addr;
  assign m_axi_awlen   = axi_req.wr.aw.len;
  assign m_axi_wvalid  = axi_req.wr.w_valid;
  assign m_axi_wdata   = axi_req.wr.w_data;
  assign m_axi_wlast   = axi_req.wr.w_last;
  assign m_axi_bready  = axi_req.wr.b_ready;
  assign m_axi_arvalid = axi_req.rd.ar_valid;
  assign m_axi_araddr  = axi_req.rd.ar.addr;
  assign m_axi_arlen   = axi_req.rd.ar.len;
  assign m_axi_rready  = axi_req.rd.r_ready;

  assign axi_resp.wr.aw_ready = m_axi_awready;
  assign axi_resp.wr.w_ready  = m_axi_wready;
  assign axi_resp.wr.b_valid  = m_axi_bvalid;
  assign axi_resp.wr.b_resp   = axi_resp_e'(m_axi_bresp);
  assign axi_resp.rd.ar_ready = m_axi_arready;
  assign axi_resp.rd.r_valid  = m_axi_rvalid;
  assign axi_resp.rd.r_data   = m_axi_rdata;
  assign axi_resp.rd.r_resp   = axi_resp_e'(m_axi_rresp);

  // Fixed AXI attributes: 32-byte beats, incrementing bursts, normal non-cacheable bufferable.
  assign m_axi_awid    = '0;
  assign m_axi_awsize  = 3'd5;
  assign m_axi_awburst = 2'b01;
  assign m_axi_awlock  = 1'b0;
  assign m_axi_awcache = 4'b0011;
  assign m_axi_awprot  = 3'b000;
  assign m_axi_wstrb   = '1;
  assign m_axi_arid    = '0;
  assign m_axi_arsize  = 3'd5;
  assign m_axi_arburst = 2'b01;
  assign m_axi_arlock  = 1'b0;
  assign m_axi_arcache = 4'b0011;
  assign m_axi_arprot  = 3'b000;

  // Single ID and no reordering: the response IDs and RLAST carry no information here.
  logic unused_axi;
  assign unused_axi = ^{m_axi_bid, m_axi_rid, m_axi_rlast, imem_unused_rdata,
                        instr_addr[31:ImemAw+2], instr_addr[1:0],
                        data_addr[31:DmemAw+2], data_addr[1:0]};

endmodule
