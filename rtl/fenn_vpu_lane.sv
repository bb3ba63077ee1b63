// One lane of the FeNN vector unit: its slice of the 32 vector registers, its 16-bit ALU (saturating
// add/sub, multiply with shift and floor/RN/SR rounding, shifts, compare), its xoroshiro32++ RNG
// and its lane-local memory. Numerics are docs/semantics.md (riscv_soc/isa/numerics.py).
//
// Timing: operands are read in execute (EX), with the previous instruction's result forwarded;
// every register write happens one cycle later (WB), where vector-load data arrives. A vector
// load's destination is therefore not readable by the very next instruction (the VPU traps it).
module fenn_vpu_lane
  import fenn_isa_pkg::*;
#(
  parameter int unsigned LlmLaneBytes = 2048,
  localparam int unsigned LlmAw = $clog2(LlmLaneBytes / 2)
) (
  input  logic        clk_i,
  input  logic        rst_ni,

  // The instruction in EX, decoded by the VPU.
  input  op_e         op_i,
  input  logic        exec_i,        // committed: perform its effects
  input  logic [4:0]  vd_i,
  input  logic [4:0]  vs1_i,
  input  logic [4:0]  vs2_i,
  input  logic [3:0]  shift_i,       // vmul shift or vslli/vsrai shift
  input  logic [3:0]  nbits_i,       // vandadd mask width
  input  logic [15:0] imm16_i,       // vlui
  input  logic [31:0] mem_imm_i,     // vloadl / vstorel offset, sign-extended
  input  logic [31:0] xs1_i,         // vfill value
  input  logic        vsel_bit_i,    // this lane's bit of vsel's mask (xs1)
  input  logic [31:0] xs2_i,         // vandadd addend
  input  logic [15:0] vmem_rdata_i,  // this lane's halfword of a vector-memory read (in WB)

  output logic [15:0] vs1_o,         // operand values in EX (vextract, vstorev data)
  output logic [15:0] vs2_o,
  output logic        cmp_o,         // vteq/vtne/vtlt/vtge result bit
  // Lane-local address of vloadl/vstorel and its checks.
  output logic [31:0] llm_addr_o,
  output logic        llm_fault_o,   // enabled and misaligned or out of range
  output logic        llm_misaligned_o
);

  typedef enum logic [2:0] {WbNone, WbAlu, WbVmem, WbLlm, WbSeed0, WbSeed1} wb_src_e;

  logic [15:0] vrf_q [32];  // no reset: a LUTRAM (the testbench backdoor zeroes it)
  logic [15:0] s0_q, s1_q;  // xoroshiro32++ state

  wb_src_e     wb_src_q;
  logic        wb_we_q;
  logic [4:0]  wb_vd_q;
  logic [15:0] wb_alu_q;
  logic [15:0] llm_rdata;

  // ---------------------------------------------------------------- operands
  logic [15:0] a, b;
  assign a = (wb_src_q == WbAlu && wb_we_q && wb_vd_q == vs1_i) ? wb_alu_q : vrf_q[vs1_i];
  assign b = (wb_src_q == WbAlu && wb_we_q && wb_vd_q == vs2_i) ? wb_alu_q : vrf_q[vs2_i];
  assign vs1_o = a;
  assign vs2_o = b;

  // ---------------------------------------------------------------- RNG
  function automatic logic [15:0] rotl16(logic [15:0] x, int unsigned k);
    return (x << k) | (x >> (16 - k));
  endfunction

  logic [15:0] rng_out, s1_x, s0_next, s1_next;
  assign rng_out = rotl16(s0_q + s1_q, 9) + s0_q;
  assign s1_x    = s1_q ^ s0_q;
  assign s0_next = rotl16(s0_q, 13) ^ s1_x ^ (s1_x << 5);
  assign s1_next = rotl16(s1_x, 10);

  // ---------------------------------------------------------------- ALU
  logic        round_nearest, round_stochastic;
  logic [15:0] round_term;
  assign round_nearest    = op_i inside {OpVmulRn, OpVmulSRn, OpVsraiRn};
  assign round_stochastic = op_i inside {OpVmulRs, OpVmulSRs, OpVsraiRs};

  always_comb begin
    round_term = '0;
    if (round_nearest && shift_i != 4'd0) round_term = 16'd1 << (shift_i - 4'd1);
    if (round_stochastic) round_term = rng_out & ((16'd1 << shift_i) - 16'd1);
  end

  function automatic logic [15:0] sat16(logic signed [32:0] x);
    if (x > 33'sd32767) return 16'h7fff;
    if (x < -33'sd32768) return 16'h8000;
    return x[15:0];
  endfunction

  // Exact 33-bit arithmetic: |a*b| <= 2^30, and the rounding term is below 2^15.
  logic signed [32:0] sum, diff, prod, prod_rounded, prod_shifted, srai_rounded, srai_shifted;
  assign sum          = 33'($signed(a)) + 33'($signed(b));
  assign diff         = 33'($signed(a)) - 33'($signed(b));
  assign prod         = 33'($signed(a)) * 33'($signed(b));
  assign prod_rounded = prod + $signed({17'b0, round_term});
  assign prod_shifted = prod_rounded >>> shift_i;
  assign srai_rounded = 33'($signed(a)) + $signed({17'b0, round_term});
  assign srai_shifted = srai_rounded >>> shift_i;

  logic [15:0] mask;
  assign mask = (16'd1 << nbits_i) - 16'd1;

  logic [15:0] result;
  logic        writes;
  always_comb begin
    writes = 1'b1;
    unique case (op_i)
      OpVadd:                      result = sum[15:0];
      OpVaddS:                     result = sat16(sum);
      OpVsub:                      result = diff[15:0];
      OpVsubS:                     result = sat16(diff);
      OpVand:                      result = a & b;
      OpVsll:                      result = a << b[3:0];
      OpVsra:                      result = 16'($signed(a) >>> b[3:0]);
      OpVmul, OpVmulRn, OpVmulRs:  result = prod_shifted[15:0];
      OpVmulS, OpVmulSRn, OpVmulSRs: result = sat16(prod_shifted);
      OpVslli:                     result = a << shift_i;
      OpVsrai, OpVsraiRn, OpVsraiRs: result = srai_shifted[15:0];
      OpVsel: begin                result = b; writes = vsel_bit_i; end
      OpVlui:                      result = imm16_i;
      OpVfill:                     result = {xs1_i[31], xs1_i[14:0]};
      OpVrng:                      result = {1'b0, rng_out[15:1]};
      OpVandadd:                   result = (a & mask) + xs2_i[15:0];
      default: begin               result = a; writes = 1'b0; end
    endcase
  end

  always_comb begin
    unique case (op_i)
      OpVteq:  cmp_o = a == b;
      OpVtne:  cmp_o = a != b;
      OpVtlt:  cmp_o = $signed(a) < $signed(b);
      default: cmp_o = $signed(a) >= $signed(b);  // OpVtge
    endcase
  end

  // ---------------------------------------------------------------- lane-local memory
  // Enabled when vs1 + imm >= 0 (32-bit, both sign-extended); halfword aligned, inside the lane.
  logic llm_en, llm_load, llm_store;
  assign llm_addr_o       = 32'($signed(a)) + mem_imm_i;
  assign llm_en           = !llm_addr_o[31];
  assign llm_misaligned_o = llm_addr_o[0];
  assign llm_fault_o      = llm_en && (llm_addr_o[0] || llm_addr_o >= LlmLaneBytes);
  assign llm_load         = exec_i && op_i == OpVloadl && llm_en;
  assign llm_store        = exec_i && op_i == OpVstorel && llm_en;

  fenn_ram_1p #(.Width(16), .Depth(LlmLaneBytes / 2)) u_llm (
    .clk_i,
    .req_i  (llm_load || llm_store),
    .we_i   (llm_store),
    .be_i   (2'b11),
    .addr_i (llm_addr_o[LlmAw:1]),
    .wdata_i(b),
    .rdata_o(llm_rdata)
  );

  // ---------------------------------------------------------------- writeback
  wb_src_e wb_src_d;
  logic    wb_we_d;
  always_comb begin
    wb_src_d = WbNone;
    wb_we_d  = 1'b0;
    if (exec_i) begin
      unique case (op_i)
        OpVloadv: begin wb_src_d = WbVmem; wb_we_d = 1'b1; end
        OpVloadl: begin wb_src_d = WbLlm;  wb_we_d = llm_en; end
        OpVloadr0: wb_src_d = WbSeed0;
        OpVloadr1: wb_src_d = WbSeed1;
        default: begin wb_src_d = WbAlu; wb_we_d = writes; end
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wb_src_q <= WbNone;
      wb_we_q  <= 1'b0;
      wb_vd_q  <= '0;
      wb_alu_q <= '0;
      s0_q     <= '0;
      s1_q     <= '0;
    end else begin
      wb_src_q <= wb_src_d;
      wb_we_q  <= wb_we_d;
      wb_vd_q  <= vd_i;
      wb_alu_q <= result;
      // Seeds land in WB; the VPU traps an RNG step in the cycle before (no conflict).
      if (wb_src_q == WbSeed0) s0_q <= vmem_rdata_i;
      else if (wb_src_q == WbSeed1) s1_q <= vmem_rdata_i;
      else if (exec_i && op_info(op_i).steps_rng) begin
        s0_q <= s0_next;
        s1_q <= s1_next;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (wb_we_q) begin
      unique case (wb_src_q)
        WbVmem:  vrf_q[wb_vd_q] <= vmem_rdata_i;
        WbLlm:   vrf_q[wb_vd_q] <= llm_rdata;
        default: vrf_q[wb_vd_q] <= wb_alu_q;
      endcase
    end
  end

  // Lanes hold 16 bits: vandadd adds the scalar's low half, vfill keeps bits 31 and 14:0, vsrai
  // wraps.
  logic unused_bits;
  assign unused_bits = ^{xs2_i[31:16], xs1_i[30:15], srai_shifted[32:16]};

endmodule
