// CSR file of the core: the 64-bit counters (mcycle, minstret, the six activity counters),
// mcountinhibit, mhartid and the window onto the DMA registers. Decides CSR legality (docs/isa.md,
// "CSRs"): unknown numbers and writes to read-only CSRs are illegal. A counter read in cycle t
// sees the counts of the instructions before it: every counter advances on the clock edge that
// ends a cycle, unless its mcountinhibit bit is set in that cycle. A write to mcountinhibit takes
// effect on the same edge, so it governs the counting from the next cycle on.
module fenn_csr
  import fenn_isa_pkg::*;
  import fenn_pkg::*;
(
  input  logic         clk_i,
  input  logic         rst_ni,

  // Events of the current cycle.
  input  logic         count_cycle_i,  // the core executes (part of) an instruction this cycle
  input  logic         retire_i,       // an instruction retires this cycle
  input  op_class_e    klass_i,        // its activity class
  input  logic [20:0]  dma_bytes_i,    // bytes of DMA transfers completing this cycle

  // The CSR instruction in execute.
  input  logic [11:0]  addr_i,
  input  op_e          op_i,           // csrrw ... csrrci
  input  logic [31:0]  src_i,          // xs1 or the zero-extended uimm5
  input  logic         write_i,        // the instruction writes (csrrw*, or a nonzero source field)
  input  logic         commit_i,       // it retires: perform the write
  output logic         legal_o,
  output logic [31:0]  rdata_o,

  output dma_csr_addr_t dma_csr_addr_o,
  output dma_csr_wr_t  dma_csr_wr_o,
  input  logic [31:0]  dma_csr_rdata_i
);

  logic [63:0] count_q [NumCounters];
  logic [63:0] count_d [NumCounters];
  logic [31:0] inhibit_q;  // mcountinhibit: bit 0 mcycle, bit 2 minstret, bit 3 + k hpm k
  logic        inhibit_we;  // a retiring instruction writes mcountinhibit
  logic [31:0] csr_wdata;   // what a write stores: src_i, or rdata_o with src_i's bits set/cleared

  always_comb begin
    for (int i = 0; i < NumCounters; i++) count_d[i] = count_q[i];
    if (count_cycle_i) count_d[CntCycle] = count_q[CntCycle] + 64'd1;
    if (retire_i) begin
      count_d[CntInstret] = count_q[CntInstret] + 64'd1;
      unique case (klass_i)
        ClassVecAlu:    count_d[CntHpm0 + HpmVecAluOps] = count_q[CntHpm0 + HpmVecAluOps] + 1;
        ClassVecMem:    count_d[CntHpm0 + HpmVecMemOps] = count_q[CntHpm0 + HpmVecMemOps] + 1;
        ClassLaneLocal: count_d[CntHpm0 + HpmLaneLocalOps] = count_q[CntHpm0 + HpmLaneLocalOps] + 1;
        ClassScalarMem: count_d[CntHpm0 + HpmScalarMemOps] = count_q[CntHpm0 + HpmScalarMemOps] + 1;
        default: ;
      endcase
    end
    if (count_cycle_i && !retire_i) begin
      count_d[CntHpm0 + HpmStallCycles] = count_q[CntHpm0 + HpmStallCycles] + 64'd1;
    end
    count_d[CntHpm0 + HpmDmaBytes] = count_q[CntHpm0 + HpmDmaBytes] + 64'(dma_bytes_i);
  end

  // Counter i's mcountinhibit bit: 0 for mcycle, i + 1 for the others (bit 1 is `time`'s).
  function automatic logic inhibited(logic [31:0] inhibit, int unsigned i);
    return inhibit[i == CntCycle ? 0 : i + 1];
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < NumCounters; i++) count_q[i] <= '0;
      inhibit_q <= McountinhibitReset;
    end else begin
      for (int i = 0; i < NumCounters; i++) begin
        if (!inhibited(inhibit_q, i)) count_q[i] <= count_d[i];
      end
      if (inhibit_we) inhibit_q <= csr_wdata & McountinhibitMask;
    end
  end

  // Decode: which counter (and which half), or which DMA register.
  logic        is_counter, counter_hi, is_dma, dma_rw, is_inhibit, read_only;
  logic [2:0]  counter_idx;

  always_comb begin
    {is_counter, counter_hi, counter_idx} = counter_csr(addr_i);
    is_dma      = 1'b0;
    dma_rw      = 1'b0;
    dma_csr_addr_o = '{s2mm: addr_i[4], sel: DmaRegStatus};
    unique casez (addr_i)
      CsrDmaMm2sSrc, CsrDmaMm2sDst, CsrDmaMm2sCount, CsrDmaMm2sControl,
      CsrDmaS2mmSrc, CsrDmaS2mmDst, CsrDmaS2mmCount, CsrDmaS2mmControl: begin
        is_dma            = 1'b1;
        dma_rw            = 1'b1;
        dma_csr_addr_o.sel = dma_reg_e'({1'b0, addr_i[1:0]});
      end
      CsrDmaMm2sStatus, CsrDmaS2mmStatus: is_dma = 1'b1;
      default: ;
    endcase
    is_inhibit = addr_i == CsrMcountinhibit;
    read_only  = !dma_rw && !is_inhibit;  // counters, mhartid and the status registers
    legal_o    = (is_counter || is_dma || is_inhibit || addr_i == CsrMhartid)
                 && !(read_only && write_i);

    if (is_counter) begin
      rdata_o = counter_hi ? count_q[counter_idx][63:32] : count_q[counter_idx][31:0];
    end else if (is_dma) begin
      rdata_o = dma_csr_rdata_i;
    end else if (is_inhibit) begin
      rdata_o = inhibit_q;
    end else begin
      rdata_o = '0;  // mhartid
    end
  end

  // The write of a retiring instruction (separate from the decode: retiring depends on legal_o).
  always_comb begin
    unique case (op_i)
      OpCsrrs, OpCsrrsi: csr_wdata = rdata_o | src_i;
      OpCsrrc, OpCsrrci: csr_wdata = rdata_o & ~src_i;
      default:           csr_wdata = src_i;
    endcase
    dma_csr_wr_o.we    = is_dma && dma_rw && write_i && commit_i;
    dma_csr_wr_o.wdata = csr_wdata;
    inhibit_we         = is_inhibit && write_i && commit_i;
  end

endmodule
