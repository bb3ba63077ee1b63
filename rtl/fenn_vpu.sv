// The FeNN vector unit: a coprocessor of the scalar core behind an issue/commit/result interface
// (CORE-V XIF in spirit, all three in the core's execute cycle). It decodes the offered word,
// accepts it when it is a vector instruction, checks the vector load-use hazard and the vector
// address rules (docs/isa.md, "Traps" and "Hazards") and, once committed, runs it on 32 lanes:
// the vector register file (32 x 32 lanes x 16 bits), the lanes' arithmetic (fenn_vpu_lanes) and
// the 32 lane-local memories. Port A of the vector memory (URAM) is its own; the DMA engine has
// port B.
//
// Timing: operands are read in execute (EX), with the previous instruction's result forwarded;
// every register write happens one cycle later (WB), where vector-memory and lane-local load data
// arrive. A vector load's destination is therefore not readable by the very next instruction (the
// unit traps it).
module fenn_vpu
  import fenn_isa_pkg::*;
  import fenn_pkg::*;
#(
  parameter int unsigned VmemBytes    = 512 * 1024,
  parameter int unsigned LlmLaneBytes = 2048,
  localparam int unsigned VmemAw = $clog2(VmemBytes / 64),
  localparam int unsigned LlmAw  = $clog2(LlmLaneBytes / 2)
) (
  input  logic                clk_i,
  input  logic                rst_ni,

  input  logic                issue_valid_i,
  input  vpu_issue_req_t      issue_req_i,
  output vpu_issue_resp_t     issue_resp_o,
  input  logic                commit_i,
  output vpu_result_t         result_o,

  // Vector memory port A: one 64-byte vector per cycle, read data in the next cycle.
  output logic                vmem_req_o,
  output logic                vmem_we_o,
  output logic [VmemAw-1:0]   vmem_addr_o,
  output logic [16*Lanes-1:0] vmem_wdata_o,
  input  logic [16*Lanes-1:0] vmem_rdata_i
);

  logic [31:0] instr;
  op_e         op;
  op_info_t    info;
  logic [4:0]  vd, vs1, vs2;
  logic [31:0] imm_i, imm_s;

  assign instr = issue_req_i.instr;
  assign op    = decode_op(instr);
  assign info  = op_info(op);
  assign vd    = operand_vd(instr);
  assign vs1   = operand_vs1(instr);
  assign vs2   = operand_vs2(instr);
  assign imm_i = operand_imm12(instr);
  assign imm_s = operand_simm12(instr);

  // ---------------------------------------------------------------- load-use hazard
  // Set for one cycle after a committed vector load: its data lands in that cycle's WB.
  logic       vload_pending_q, seed_pending_q;
  logic [4:0] vload_vd_q;
  logic       hazard_vreg, hazard_rng;
  assign hazard_vreg = vload_pending_q && ((info.has_vd && vd == vload_vd_q)
                                        || (info.has_vs1 && vs1 == vload_vd_q)
                                        || (info.has_vs2 && vs2 == vload_vd_q));
  assign hazard_rng  = seed_pending_q && info.steps_rng;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      vload_pending_q <= 1'b0;
      seed_pending_q  <= 1'b0;
      vload_vd_q      <= '0;
    end else begin
      vload_pending_q <= commit_i && op inside {OpVloadv, OpVloadl};
      seed_pending_q  <= commit_i && op inside {OpVloadr0, OpVloadr1};
      vload_vd_q      <= vd;
    end
  end

  // ---------------------------------------------------------------- register file and operands
  typedef enum logic [2:0] {WbNone, WbAlu, WbVmem, WbLlm, WbSeed0, WbSeed1} wb_src_e;

  logic [15:0] vrf_q [NumVregs][Lanes];  // vrf_q[r][l]: lane l of v<r>; no reset (LUTRAM)

  wb_src_e          wb_src_q;
  logic [Lanes-1:0] wb_we_q;
  logic [4:0]       wb_vd_q;
  logic [15:0]      wb_alu_q [Lanes];

  // Only ALU results forward; a lane that did not write keeps its register's value.
  logic        fwd_a, fwd_b;
  logic [15:0] a [Lanes];
  logic [15:0] b [Lanes];
  assign fwd_a = wb_src_q == WbAlu && wb_vd_q == vs1;
  assign fwd_b = wb_src_q == WbAlu && wb_vd_q == vs2;
  always_comb begin
    for (int l = 0; l < Lanes; l++) begin
      a[l] = fwd_a && wb_we_q[l] ? wb_alu_q[l] : vrf_q[vs1][l];
      b[l] = fwd_b && wb_we_q[l] ? wb_alu_q[l] : vrf_q[vs2][l];
    end
  end

  // ---------------------------------------------------------------- lanes
  logic [15:0]      result [Lanes];
  logic [15:0]      vmem_lane [Lanes];
  logic [Lanes-1:0] writes, cmp;
  logic [3:0]       shift;

  assign shift = op inside {OpVslli, OpVsrai, OpVsraiRn, OpVsraiRs} ? operand_ishift(instr)
                                                                    : operand_vshift(instr);
  always_comb begin
    for (int l = 0; l < Lanes; l++) vmem_lane[l] = vmem_rdata_i[16*l +: 16];
  end

  fenn_vpu_lanes u_lanes (
    .clk_i,
    .rst_ni,
    .op_i     (op),
    .a_i      (a),
    .b_i      (b),
    .shift_i  (shift),
    .nbits_i  (operand_nbits(instr)),
    .imm16_i  (16'(operand_imm16(instr))),
    .xs1_i    (issue_req_i.rs1),
    .xs2_i    (issue_req_i.rs2),
    .result_o (result),
    .writes_o (writes),
    .cmp_o    (cmp),
    .step_i   (commit_i && info.steps_rng),
    .seed0_i  (wb_src_q == WbSeed0),
    .seed1_i  (wb_src_q == WbSeed1),
    .seed_i   (vmem_lane)
  );

  // ---------------------------------------------------------------- lane-local memories
  // vloadl/vstorel enable lane l when its base vs1[l] is >= 0 (FeNN: before the offset); an
  // enabled lane accesses vs1 + imm (32-bit, both sign-extended, a negative sum being beyond the
  // memory), which must be halfword aligned and inside the lane's memory.
  logic             is_llm, llm_store;
  logic [31:0]      llm_imm;
  logic [31:0]      llm_addr [Lanes];
  logic [Lanes-1:0] llm_en, llm_fault;
  logic [15:0]      llm_rdata [Lanes];
  assign is_llm    = op inside {OpVloadl, OpVstorel};
  assign llm_store = op == OpVstorel;
  assign llm_imm   = llm_store ? imm_s : imm_i;
  always_comb begin
    llm_addr  = '{default: '0};
    llm_en    = '0;
    llm_fault = '0;
    if (is_llm) begin
      for (int l = 0; l < Lanes; l++) begin
        llm_addr[l]  = 32'($signed(a[l])) + llm_imm;
        llm_en[l]    = !a[l][15];
        llm_fault[l] = llm_en[l] && (llm_addr[l][0] || llm_addr[l] >= LlmLaneBytes);
      end
    end
  end

  for (genvar l = 0; l < Lanes; l++) begin : g_llm
    fenn_ram_1p #(.Width(16), .Depth(LlmLaneBytes / 2), .ByteWrites(1'b0)) u_llm (
      .clk_i,
      .req_i  (commit_i && llm_en[l]),
      .we_i   (llm_store),
      .be_i   (2'b11),
      .addr_i (llm_addr[l][LlmAw:1]),
      .wdata_i(b[l]),
      .rdata_o(llm_rdata[l])
    );
  end

  // The lowest faulting lane decides cause and tval.
  logic [4:0] fault_lane;
  always_comb begin
    fault_lane = '0;
    for (int l = Lanes - 1; l >= 0; l--) begin
      if (llm_fault[l]) fault_lane = 5'(l);
    end
  end

  // ---------------------------------------------------------------- writeback
  wb_src_e          wb_src_d;
  logic [Lanes-1:0] wb_we_d;
  always_comb begin
    wb_src_d = WbNone;
    wb_we_d  = '0;
    if (commit_i) begin
      unique case (op)
        OpVloadv:  begin wb_src_d = WbVmem; wb_we_d = '1; end
        OpVloadl:  begin wb_src_d = WbLlm;  wb_we_d = llm_en; end
        OpVloadr0: wb_src_d = WbSeed0;
        OpVloadr1: wb_src_d = WbSeed1;
        default:   begin wb_src_d = WbAlu;  wb_we_d = writes; end
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wb_src_q <= WbNone;
      wb_we_q  <= '0;
      wb_vd_q  <= '0;
      wb_alu_q <= '{default: '0};
    end else begin
      wb_src_q <= wb_src_d;
      wb_we_q  <= wb_we_d;
      wb_vd_q  <= vd;
      wb_alu_q <= result;
    end
  end

  // One register row per write; lanes that do not write keep their value (the LUTRAM's write
  // port reads the row it writes).
  logic [15:0] wb_row [Lanes];
  always_comb begin
    wb_row = vrf_q[wb_vd_q];
    unique case (wb_src_q)
      WbVmem:  for (int l = 0; l < Lanes; l++) if (wb_we_q[l]) wb_row[l] = vmem_rdata_i[16*l +: 16];
      WbLlm:   for (int l = 0; l < Lanes; l++) if (wb_we_q[l]) wb_row[l] = llm_rdata[l];
      default: for (int l = 0; l < Lanes; l++) if (wb_we_q[l]) wb_row[l] = wb_alu_q[l];
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (wb_we_q != '0) vrf_q[wb_vd_q] <= wb_row;
  end

  // ---------------------------------------------------------------- issue response
  logic        is_vmem, is_vmem_store;
  logic [31:0] vmem_addr;
  assign is_vmem       = op inside {OpVloadv, OpVloadr0, OpVloadr1, OpVstorev};
  assign is_vmem_store = op == OpVstorev;
  assign vmem_addr     = issue_req_i.rs1 + (is_vmem_store ? imm_s : imm_i);

  always_comb begin
    issue_resp_o.accept    = issue_valid_i && info.vec;
    issue_resp_o.klass     = info.klass;
    issue_resp_o.cause     = CauseNone;
    issue_resp_o.tval      = '0;
    if (hazard_vreg || hazard_rng) begin
      // tval: the register number, or 32 for the RNG state (what the ISS reports).
      issue_resp_o.cause = CauseVectorLoadUse;
      issue_resp_o.tval  = hazard_rng ? 32'd32 : 32'(vload_vd_q);
    end else if (is_vmem && vmem_addr[5:0] != 6'b0) begin
      issue_resp_o.cause = is_vmem_store ? CauseStoreAddressMisaligned : CauseLoadAddressMisaligned;
      issue_resp_o.tval  = vmem_addr;
    end else if (is_vmem && vmem_addr >= VmemBytes) begin
      issue_resp_o.cause = is_vmem_store ? CauseStoreAccessFault : CauseLoadAccessFault;
      issue_resp_o.tval  = vmem_addr;
    end else if (llm_fault != '0) begin
      unique case ({llm_store, llm_addr[fault_lane][0]})
        2'b00:   issue_resp_o.cause = CauseLoadAccessFault;
        2'b01:   issue_resp_o.cause = CauseLoadAddressMisaligned;
        2'b10:   issue_resp_o.cause = CauseStoreAccessFault;
        default: issue_resp_o.cause = CauseStoreAddressMisaligned;
      endcase
      issue_resp_o.tval = llm_addr[fault_lane];
    end
  end

  assign result_o.valid = commit_i && op inside {OpVteq, OpVtne, OpVtlt, OpVtge, OpVextract};
  assign result_o.data  = (op == OpVextract) ? 32'($signed(a[vs2])) : cmp;

  always_comb begin
    for (int l = 0; l < Lanes; l++) vmem_wdata_o[16*l +: 16] = b[l];
  end
  assign vmem_req_o  = commit_i && is_vmem;
  assign vmem_we_o   = is_vmem_store;
  assign vmem_addr_o = vmem_addr[VmemAw+5:6];

  logic unused_bits;
  assign unused_bits = ^{vmem_addr[31:VmemAw+6], vmem_addr[5:0], info.multicycle, info.has_xs2};

`ifndef SYNTHESIS
  // Hazard and write-back rules (checked in the simulation build): no committed instruction uses
  // the destination (or RNG state) of the vector load before it, and a register write happens
  // only in the cycle after a commit.
  a_no_load_use: assert property (@(posedge clk_i) disable iff (!rst_ni)
      commit_i |-> !(hazard_vreg || hazard_rng));
  a_wb_after_commit: assert property (@(posedge clk_i) disable iff (!rst_ni)
      wb_we_q != '0 |-> $past(commit_i));
`endif

endmodule
