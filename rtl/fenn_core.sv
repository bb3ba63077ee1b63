// Scalar RV32IM + Zicsr + Zbb-subset core of the FeNN-DMA SoC (docs/rtl.md has the diagram).
//
// Two stages over synchronous memories. Execute (EX) decodes the word the instruction BRAM returns,
// reads the register file, computes, resolves branches and drives the BRAM with the next fetch
// address, so every instruction, taken branches included, takes one cycle. Writeback (WB) writes
// the register file a cycle later: it is where load data arrives, and it forwards to EX.
// Vector instructions are offered to the vector unit over an issue/commit/result interface.
// A trap, ecall or ebreak stops the core (there is no handler); so does the spin `jal x0, 0`, a
// jump to itself after which only counters would change (docs/isa.md, "How a run ends"), and
// halt_req_i, at an instruction boundary.
module fenn_core
  import fenn_isa_pkg::*;
  import fenn_pkg::*;
#(
  parameter int unsigned ImemBytes = 64 * 1024,
  parameter int unsigned DmemBytes = 128 * 1024
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic [31:0]     boot_addr_i,
  input  logic            halt_req_i,   // stop at the next instruction boundary (a cycle budget)

  // Instruction memory: synchronous read; the word at instr_addr_o arrives in the next cycle.
  output logic [31:0]     instr_addr_o,
  input  logic [31:0]     instr_rdata_i,

  // Scalar data memory: one access per cycle; read data arrives in the next cycle.
  output logic            data_req_o,
  output logic            data_we_o,
  output logic [3:0]      data_be_o,
  output logic [31:0]     data_addr_o,  // word-aligned byte address
  output logic [31:0]     data_wdata_o,
  input  logic [31:0]     data_rdata_i,

  // Vector unit.
  output logic            vpu_issue_valid_o,
  output vpu_issue_req_t  vpu_issue_req_o,
  input  vpu_issue_resp_t vpu_issue_resp_i,
  output logic            vpu_commit_o,
  input  vpu_result_t     vpu_result_i,

  // DMA registers and completions.
  output dma_csr_addr_t   dma_csr_addr_o,
  output dma_csr_wr_t     dma_csr_wr_o,
  input  logic [31:0]     dma_csr_rdata_i,
  input  logic [20:0]     dma_bytes_i,

  // How the run ended; valid while done_o.
  output logic            done_o,
  output exit_e           exit_o,
  output cause_e          cause_o,
  output logic [31:0]     tval_o,
  output logic [31:0]     pc_o
);

  // ---------------------------------------------------------------- state
  logic        boot_q;    // the cycle after reset: fetch from boot_addr_i, execute nothing
  logic [31:0] pc_q, pc_d;
  logic        halted_q;
  exit_e       exit_q, exit_d;
  cause_e      cause_q;
  logic [31:0] tval_q;

  // WB stage: the register write of the instruction that executed in the previous cycle.
  logic        wb_valid_q, wb_load_q, wb_load_unsigned_q;
  logic [4:0]  wb_rd_q;
  logic [31:0] wb_data_q;
  logic [1:0]  wb_size_q, wb_offset_q;
  logic [31:0] wb_value;

  logic [31:0] rf_q [32];

  // ---------------------------------------------------------------- decode
  logic [31:0] instr;
  op_e         op;
  op_info_t    info;
  logic [4:0]  rd, rs1, rs2;
  logic [2:0]  funct3;
  logic [31:0] imm_i, imm_s, imm_b, imm_u, imm_j;

  assign instr = instr_rdata_i;
  assign op    = decode_op(instr);
  assign info  = op_info(op);
  assign rd     = operand_xd(instr);
  assign rs1    = operand_xs1(instr);
  assign rs2    = operand_xs2(instr);
  assign funct3 = field_funct3(instr);
  assign imm_i  = operand_imm12(instr);
  assign imm_s  = operand_simm12(instr);
  assign imm_b  = operand_boff(instr);
  assign imm_u  = {operand_uimm20(instr), 12'b0};
  assign imm_j  = operand_joff(instr);

  // Operands, forwarded from WB (load data included: scalar loads never stall).
  logic [31:0] rs1_val, rs2_val;
  assign rs1_val = (rs1 == 5'd0) ? 32'b0 : (wb_valid_q && wb_rd_q == rs1) ? wb_value : rf_q[rs1];
  assign rs2_val = (rs2 == 5'd0) ? 32'b0 : (wb_valid_q && wb_rd_q == rs2) ? wb_value : rf_q[rs2];

  // ---------------------------------------------------------------- execute
  logic boundary, running, fetch_fault, scalar_op;
  logic div_busy, div_done, div_start;
  logic [31:0] div_result;

  assign boundary    = !div_busy;
  assign running     = !boot_q && !halted_q && !(boundary && halt_req_i);
  assign fetch_fault = pc_q >= ImemBytes;
  assign scalar_op   = op != OpIllegal && !info.vec;

  // ALU: b is xs2 for register-register ops, else the I-immediate.
  logic [31:0] alu_b, alu_result;
  assign alu_b = info.has_xs2 ? rs2_val : imm_i;
  fenn_alu u_alu (.op_i(op), .a_i(rs1_val), .b_i(alu_b), .result_o(alu_result));

  // Branches and jumps.
  logic        taken;
  logic [31:0] target;
  always_comb begin
    unique case (op)
      OpBeq:   taken = rs1_val == rs2_val;
      OpBne:   taken = rs1_val != rs2_val;
      OpBlt:   taken = $signed(rs1_val) < $signed(rs2_val);
      OpBge:   taken = $signed(rs1_val) >= $signed(rs2_val);
      OpBltu:  taken = rs1_val < rs2_val;
      OpBgeu:  taken = rs1_val >= rs2_val;
      OpJal, OpJalr: taken = 1'b1;
      default: taken = 1'b0;
    endcase
    unique case (op)
      OpJal:   target = pc_q + imm_j;
      OpJalr:  target = (rs1_val + imm_i) & ~32'd1;
      default: target = pc_q + imm_b;
    endcase
  end

  // Scalar loads and stores: size, alignment, range (misaligned before out of range).
  logic        is_load, is_store;
  logic [1:0]  mem_size;  // log2 bytes
  logic [31:0] mem_addr;
  logic        mem_misaligned, mem_out_of_range;
  assign is_load  = op inside {OpLb, OpLh, OpLw, OpLbu, OpLhu};
  assign is_store = op inside {OpSb, OpSh, OpSw};
  assign mem_size = funct3[1:0];  // loads and stores: log2 bytes; bit 2 of a load: unsigned
  assign mem_addr = rs1_val + (is_store ? imm_s : imm_i);
  always_comb begin
    unique case (mem_size)
      2'd0:    mem_misaligned = 1'b0;
      2'd1:    mem_misaligned = mem_addr[0];
      default: mem_misaligned = mem_addr[1:0] != 2'b0;
    endcase
  end
  // Naturally aligned: the access fits iff its first byte does.
  assign mem_out_of_range = mem_addr >= DmemBytes;

  // CSR instructions.
  logic        is_csr, csr_imm, csr_write, csr_legal;
  logic [31:0] csr_src, csr_rdata;
  assign is_csr    = op inside {OpCsrrw, OpCsrrs, OpCsrrc, OpCsrrwi, OpCsrrsi, OpCsrrci};
  assign csr_imm   = funct3[2];
  assign csr_src   = csr_imm ? {27'b0, rs1} : rs1_val;
  assign csr_write = op inside {OpCsrrw, OpCsrrwi} || rs1 != 5'd0;

  // Everything that decides whether the instruction in EX traps, in the documented order:
  // fetch, decode (CSR legality included), the vector load-use hazard, then address checks.
  cause_e      trap;
  logic [31:0] trap_val;
  logic        vec_op;
  assign vec_op = !scalar_op && vpu_issue_resp_i.accept;
  always_comb begin
    trap     = CauseNone;
    trap_val = 32'b0;
    if (fetch_fault) begin
      trap = CauseInstructionAccessFault;  trap_val = pc_q;
    end else if (!scalar_op && !vpu_issue_resp_i.accept) begin
      trap = CauseIllegalInstruction;      trap_val = instr;
    end else if (is_csr && !csr_legal) begin
      trap = CauseIllegalInstruction;      trap_val = instr;
    end else if (vec_op) begin
      trap = vpu_issue_resp_i.cause;       trap_val = vpu_issue_resp_i.tval;
    end else if ((is_load || is_store) && (mem_misaligned || mem_out_of_range)) begin
      trap     = is_load ? (mem_misaligned ? CauseLoadAddressMisaligned : CauseLoadAccessFault)
                         : (mem_misaligned ? CauseStoreAddressMisaligned : CauseStoreAccessFault);
      trap_val = mem_addr;
    end else if (taken && target[1:0] != 2'b0) begin
      trap = CauseInstructionAddressMisaligned;  trap_val = target;
    end
  end

  logic trapping, executes, retire;
  assign trapping  = running && trap != CauseNone;
  assign executes  = running && trap == CauseNone;  // not halted, no trap: effects happen
  assign div_start = executes && info.multicycle && !div_busy;
  assign retire    = executes && (!info.multicycle || div_done);

  fenn_div u_div (
    .clk_i, .rst_ni,
    .start_i (div_start),
    .signed_i(op inside {OpDiv, OpRem}),
    .rem_i   (op inside {OpRem, OpRemu}),
    .a_i     (rs1_val),
    .b_i     (rs2_val),
    .busy_o  (div_busy),
    .done_o  (div_done),
    .result_o(div_result)
  );

  // Result of the instruction (loads deliver theirs in WB).
  logic [31:0] result;
  logic        writes_rd;
  always_comb begin
    writes_rd = 1'b1;
    unique case (op)
      OpLui:                            result = imm_u;
      OpAuipc:                          result = pc_q + imm_u;
      OpJal, OpJalr:                    result = pc_q + 32'd4;
      OpDiv, OpDivu, OpRem, OpRemu:     result = div_result;
      OpCsrrw, OpCsrrs, OpCsrrc,
      OpCsrrwi, OpCsrrsi, OpCsrrci:     result = csr_rdata;
      OpBeq, OpBne, OpBlt, OpBge, OpBltu, OpBgeu, OpSb, OpSh, OpSw,
      OpFence, OpEcall, OpEbreak: begin result = alu_result; writes_rd = 1'b0; end
      default:                          result = alu_result;
    endcase
    if (vec_op) begin
      result    = vpu_result_i.data;
      writes_rd = vpu_result_i.valid;
    end
  end

  fenn_csr u_csr (
    .clk_i, .rst_ni,
    .count_cycle_i  (running),
    .retire_i       (retire),
    .klass_i        (vec_op ? vpu_issue_resp_i.klass : info.klass),
    .dma_bytes_i,
    .addr_i         (operand_csr(instr)),
    .op_i           (op),
    .src_i          (csr_src),
    .write_i        (csr_write),
    .commit_i       (retire && is_csr),
    .legal_o        (csr_legal),
    .rdata_o        (csr_rdata),
    .dma_csr_addr_o,
    .dma_csr_wr_o,
    .dma_csr_rdata_i
  );

  // Vector unit: offered every word the core does not execute itself.
  assign vpu_issue_valid_o = running && !fetch_fault && !scalar_op;
  assign vpu_issue_req_o   = '{instr: instr, rs1: rs1_val, rs2: rs2_val};
  assign vpu_commit_o      = retire && vec_op;

  // Scalar data memory.
  logic [31:0] store_data;
  logic [3:0]  store_be;
  always_comb begin
    unique case (mem_size)
      2'd0:    begin store_data = {4{rs2_val[7:0]}};  store_be = 4'b0001 << mem_addr[1:0]; end
      2'd1:    begin store_data = {2{rs2_val[15:0]}}; store_be = 4'b0011 << mem_addr[1:0]; end
      default: begin store_data = rs2_val;            store_be = 4'b1111; end
    endcase
  end
  assign data_req_o   = executes && (is_load || is_store);
  assign data_we_o    = is_store;
  assign data_be_o    = store_be;
  assign data_addr_o  = {mem_addr[31:2], 2'b00};
  assign data_wdata_o = store_data;

  // ---------------------------------------------------------------- next pc and halting
  always_comb begin
    pc_d   = pc_q;
    exit_d = ExitNone;
    if (boot_q) begin
      pc_d = boot_addr_i;
    end else if (!halted_q && boundary && halt_req_i) begin
      exit_d = ExitLimit;
    end else if (trapping) begin
      exit_d = ExitTrap;
    end else if (retire && op == OpEcall) begin
      exit_d = ExitEcall;
    end else if (retire && op == OpEbreak) begin
      exit_d = ExitEbreak;
    end else if (retire && instr == SpinWord) begin
      exit_d = ExitSpin;
    end else if (retire) begin
      pc_d = taken ? target : pc_q + 32'd4;
    end
  end
  // The fetch address of the next cycle: the instruction BRAM registers it.
  assign instr_addr_o = pc_d;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      boot_q   <= 1'b1;
      pc_q     <= '0;
      halted_q <= 1'b0;
      exit_q   <= ExitNone;
      cause_q  <= CauseNone;
      tval_q   <= '0;
    end else begin
      boot_q <= 1'b0;
      pc_q   <= pc_d;
      if (exit_d != ExitNone) begin
        halted_q <= 1'b1;
        exit_q   <= exit_d;
        cause_q  <= trapping ? trap : CauseNone;
        tval_q   <= trapping ? trap_val : 32'b0;
      end
    end
  end

  // Operand-use flags matter to the vector unit only.
  logic unused_info;
  assign unused_info = ^{info.has_vd, info.has_vs1, info.has_vs2, info.steps_rng};

  assign done_o  = halted_q;
  assign exit_o  = exit_q;
  assign cause_o = cause_q;
  assign tval_o  = tval_q;
  assign pc_o    = pc_q;

  // ---------------------------------------------------------------- writeback
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wb_valid_q         <= 1'b0;
      wb_load_q          <= 1'b0;
      wb_load_unsigned_q <= 1'b0;
      wb_rd_q            <= '0;
      wb_data_q          <= '0;
      wb_size_q          <= '0;
      wb_offset_q        <= '0;
    end else begin
`ifdef SNNSOC_BUG_WRITE_X0
      wb_valid_q         <= retire && writes_rd;  // a deliberate bug for tests/hdl/test_assertions.py
`else
      wb_valid_q         <= retire && writes_rd && rd != 5'd0;
`endif
      wb_load_q          <= is_load;
      wb_load_unsigned_q <= funct3[2];
      wb_rd_q            <= rd;
      wb_data_q          <= result;
      wb_size_q          <= mem_size;
      wb_offset_q        <= mem_addr[1:0];
    end
  end

  // Load data: pick the addressed bytes out of the word, then sign- or zero-extend.
  logic [31:0] load_word;
  assign load_word = data_rdata_i >> {wb_offset_q, 3'b000};
  logic load_signed;
`ifdef SNNSOC_BUG_LOAD_SIGNED
  assign load_signed = 1'b1 | wb_load_unsigned_q;  // a deliberate bug for tests/hdl/test_lockstep.py
`else
  assign load_signed = !wb_load_unsigned_q;
`endif
  always_comb begin
    unique case (wb_size_q)
      2'd0:    wb_value = {{24{load_signed && load_word[7]}}, load_word[7:0]};
      2'd1:    wb_value = {{16{load_signed && load_word[15]}}, load_word[15:0]};
      default: wb_value = load_word;
    endcase
    if (!wb_load_q) wb_value = wb_data_q;
  end

  // Flip-flops with reset (like Ibex's FF register file): x1-x31 start at 0, as in the ISS.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < 32; i++) rf_q[i] <= '0;
    end else if (wb_valid_q) begin
      rf_q[wb_rd_q] <= wb_value;
    end
  end

`ifndef SYNTHESIS
  // The decoder ORs the codes of the matching instructions: no word may match two.
  a_one_decoder_hit: assert property (@(posedge clk_i) disable iff (!rst_ni)
      running |-> decode_hits(instr) <= 1)
    else $error("word %h matches %0d instructions", instr, decode_hits(instr));
  // Write-back rules (checked in the simulation build): WB writes exactly the register of the
  // instruction that retired in the cycle before, never x0.
  a_wb_after_retire: assert property (@(posedge clk_i) disable iff (!rst_ni)
      wb_valid_q |-> $past(retire) && wb_rd_q != 5'd0);
`endif

endmodule
