// Shared types of the FeNN-DMA SoC: the vector-unit coprocessor interface (in the
// spirit of CORE-V XIF: issue, commit, result) and the core's port onto the DMA registers.
package fenn_pkg;
  import fenn_isa_pkg::*;

  // Issue: the core offers every word it does not execute itself, with both scalar operands.
  typedef struct packed {
    logic [31:0] instr;  // offloaded instruction word
    logic [31:0] rs1;    // value of xs1 (bits 19:15), forwarded
    logic [31:0] rs2;    // value of xs2 (bits 24:20), forwarded
  } vpu_issue_req_t;

  // The vector unit's answer in the same cycle.
  typedef struct packed {
    logic        accept;     // a vector instruction; not accepted means illegal
    op_class_e   klass;      // activity counter it increments
    cause_e      cause;      // CauseNone, or the trap it raises (load-use hazard, address checks)
    logic [31:0] tval;
  } vpu_issue_resp_t;

  // Scalar result of the committed instruction, same cycle (vtst mask, vextract lane): valid
  // when it writes scalar register xd.
  typedef struct packed {
    logic        valid;
    logic [31:0] data;
  } vpu_result_t;

  // Core -> DMA register file: one CSR access per cycle.
  typedef enum logic [2:0] {
    DmaRegSrc     = 3'd0,
    DmaRegDst     = 3'd1,
    DmaRegCount   = 3'd2,
    DmaRegControl = 3'd3,
    DmaRegStatus  = 3'd4
  } dma_reg_e;

  // Which register the CSR in execute names (read combinationally)...
  typedef struct packed {
    logic     s2mm;  // channel: 0 MM2S (DDR -> vector memory), 1 S2MM
    dma_reg_e sel;
  } dma_csr_addr_t;

  // ... and the write to it when the instruction retires (a separate signal: the written value
  // of csrrs/csrrc depends on the read one).
  typedef struct packed {
    logic        we;
    logic [31:0] wdata;
  } dma_csr_wr_t;

  // ---------------------------------------------------------------- AXI4 port to DDR
  // The DMA's AXI4 master as request (master -> slave) and response (slave -> master) structs,
  // split into the write channels (S2MM) and the read channels (MM2S), in the style of the PULP
  // AXI package's req_t/resp_t (github.com/pulp-platform/axi). Only the signals that vary: ID 0,
  // 32-byte INCR beats and the other fixed attributes are tied off where fenn_soc flattens the
  // structs into its m_axi_* ports.
  // RRESP/BRESP in the spec's order: 0 OKAY, 1 EXOKAY, 2 SLVERR, 3 DECERR.
  typedef enum logic [1:0] {AxiOkay, AxiExOkay, AxiSlvErr, AxiDecErr} axi_resp_e;

  // AW or AR: a burst of len + 1 beats of 32 bytes from addr.
  typedef struct packed {
    logic [31:0] addr;
    logic [7:0]  len;
  } axi_ax_t;

  typedef struct packed {
    logic         aw_valid;
    axi_ax_t      aw;
    logic         w_valid;
    logic [255:0] w_data;
    logic         w_last;
    logic         b_ready;
  } axi_wr_req_t;

  typedef struct packed {
    logic      aw_ready;
    logic      w_ready;
    logic      b_valid;
    axi_resp_e b_resp;
  } axi_wr_resp_t;

  typedef struct packed {
    logic    ar_valid;
    axi_ax_t ar;
    logic    r_ready;
  } axi_rd_req_t;

  typedef struct packed {
    logic         ar_ready;
    logic         r_valid;
    logic [255:0] r_data;
    axi_resp_e    r_resp;
  } axi_rd_resp_t;

  // The error responses a transfer received (docs/isa.md, "DDR error responses").
  typedef struct packed {
    logic slv_err;  // some response was SLVERR
    logic dec_err;  // some response was DECERR
  } axi_errs_t;

  typedef struct packed {
    axi_wr_req_t wr;
    axi_rd_req_t rd;
  } axi_req_t;

  typedef struct packed {
    axi_wr_resp_t wr;
    axi_rd_resp_t rd;
  } axi_resp_t;

endpackage
