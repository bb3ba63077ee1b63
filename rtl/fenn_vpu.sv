// The FeNN vector unit: a coprocessor of the scalar core behind an issue/commit/result interface
// (CORE-V XIF in spirit, all three in the core's execute cycle). It decodes the offered word,
// accepts it when it is a vector instruction, checks the vector load-use hazard and the vector
// address rules (docs/isa.md, "Traps" and "Hazards") and, once committed, runs it on 32 lanes.
// Port A of the vector memory (URAM) is its own; the DMA engine has port B.
module fenn_vpu
  import fenn_isa_pkg::*;
  import fenn_pkg::*;
#(
  parameter int unsigned VmemBytes    = 512 * 1024,
  parameter int unsigned LlmLaneBytes = 2048,
  localparam int unsigned Lanes  = 32,
  localparam int unsigned VmemAw = $clog2(VmemBytes / 64)
) (
  input  logic               clk_i,
  input  logic               rst_ni,

  input  logic               issue_valid_i,
  input  vpu_issue_req_t     issue_req_i,
  output vpu_issue_resp_t    issue_resp_o,
  input  logic               commit_i,
  output vpu_result_t        result_o,

  // Vector memory port A: one 64-byte vector per cycle, read data in the next cycle.
  output logic               vmem_req_o,
  output logic               vmem_we_o,
  output logic [VmemAw-1:0]  vmem_addr_o,
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
  assign vd    = instr[11:7];
  assign vs1   = instr[19:15];
  assign vs2   = instr[24:20];
  assign imm_i = {{20{instr[31]}}, instr[31:20]};
  assign imm_s = {{20{instr[31]}}, instr[31:25], instr[11:7]};

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

  // ---------------------------------------------------------------- vector-memory address
  logic        is_vmem, is_vmem_store;
  logic [31:0] vmem_addr;
  assign is_vmem       = op inside {OpVloadv, OpVloadr0, OpVloadr1, OpVstorev};
  assign is_vmem_store = op == OpVstorev;
  assign vmem_addr     = issue_req_i.rs1 + (is_vmem_store ? imm_s : imm_i);

  // ---------------------------------------------------------------- lanes
  logic [Lanes-1:0]  cmp, llm_fault, llm_misaligned;
  logic [15:0]       lane_vs1 [Lanes];
  logic [15:0]       lane_vs2 [Lanes];
  logic [31:0]       llm_addr [Lanes];
  logic              exec;
  logic [3:0]        shift;

  assign exec  = commit_i;
  assign shift = op inside {OpVslli, OpVsrai, OpVsraiRn, OpVsraiRs} ? instr[23:20] : instr[28:25];

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    fenn_vpu_lane #(.LlmLaneBytes(LlmLaneBytes)) u_lane (
      .clk_i,
      .rst_ni,
      .op_i            (op),
      .exec_i          (exec),
      .vd_i            (vd),
      .vs1_i           (vs1),
      .vs2_i           (vs2),
      .shift_i         (shift),
      .nbits_i         (instr[28:25]),
      .imm16_i         (instr[27:12]),
      .mem_imm_i       (op == OpVstorel ? imm_s : imm_i),
      .xs1_i           (issue_req_i.rs1),
      .vsel_bit_i      (issue_req_i.rs1[l]),
      .xs2_i           (issue_req_i.rs2),
      .vmem_rdata_i    (vmem_rdata_i[16*l +: 16]),
      .vs1_o           (lane_vs1[l]),
      .vs2_o           (lane_vs2[l]),
      .cmp_o           (cmp[l]),
      .llm_addr_o      (llm_addr[l]),
      .llm_fault_o     (llm_fault[l]),
      .llm_misaligned_o(llm_misaligned[l])
    );
    assign vmem_wdata_o[16*l +: 16] = lane_vs2[l];
  end

  // The lowest faulting enabled lane decides cause and tval.
  logic [4:0] fault_lane;
  always_comb begin
    fault_lane = '0;
    for (int l = Lanes - 1; l >= 0; l--) begin
      if (llm_fault[l]) fault_lane = 5'(l);
    end
  end

  // ---------------------------------------------------------------- issue response
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
    end else if (op inside {OpVloadl, OpVstorel} && llm_fault != '0) begin
      unique case ({op == OpVstorel, llm_misaligned[fault_lane]})
        2'b00:   issue_resp_o.cause = CauseLoadAccessFault;
        2'b01:   issue_resp_o.cause = CauseLoadAddressMisaligned;
        2'b10:   issue_resp_o.cause = CauseStoreAccessFault;
        default: issue_resp_o.cause = CauseStoreAddressMisaligned;
      endcase
      issue_resp_o.tval = llm_addr[fault_lane];
    end
  end

  assign result_o.valid = commit_i && op inside {OpVteq, OpVtne, OpVtlt, OpVtge, OpVextract};
  assign result_o.data  = (op == OpVextract) ? 32'($signed(lane_vs1[instr[24:20]])) : cmp;

  assign vmem_req_o  = commit_i && is_vmem;
  assign vmem_we_o   = is_vmem_store;
  assign vmem_addr_o = vmem_addr[VmemAw+5:6];

  logic unused_bits;
  assign unused_bits = ^{vmem_addr[31:VmemAw+6], vmem_addr[5:0], info.multicycle};

endmodule
