// The arithmetic of the FeNN vector unit's 32 lanes: the 16-bit ALU (saturating add/sub, multiply
// with shift and floor/RN/SR rounding, shifts, compare, vsel/vlui/vfill/vandadd) and each lane's
// xoroshiro32++ generator. Numerics are docs/semantics.md (riscv_soc/isa/numerics.py).
//
// All lanes live in one module and every operation is a loop over lanes inside one case on the
// opcode: the hardware is 32 identical lane datapaths, and Verilator evaluates them as one
// dispatch and a loop (32 lane instances cost it 32 copies of the decode and every operation).
module fenn_vpu_lanes
  import fenn_isa_pkg::*;
(
  input  logic             clk_i,
  input  logic             rst_ni,

  // The instruction in execute and its operands (vs1, vs2 of each lane, forwarded).
  input  op_e              op_i,
  input  logic [15:0]      a_i [Lanes],
  input  logic [15:0]      b_i [Lanes],
  input  logic [3:0]       shift_i,     // vmul shift or vslli/vsrai shift
  input  logic [3:0]       nbits_i,     // vandadd mask width
  input  logic [15:0]      imm16_i,     // vlui
  input  logic [31:0]      xs1_i,       // vfill value; vsel's lane mask (bit l: lane l)
  input  logic [31:0]      xs2_i,       // vandadd addend
  output logic [15:0]      result_o [Lanes],
  output logic [Lanes-1:0] writes_o,    // the lane writes vd (vsel: its mask bit)
  output logic [Lanes-1:0] cmp_o,       // vteq/vtne/vtlt/vtge, else 0

  // Random number generators.
  input  logic             step_i,      // advance every generator (an RNG-using op commits)
  input  logic             seed0_i,     // load S0 (vloadr0) / S1 (vloadr1) from seed_i
  input  logic             seed1_i,
  input  logic [15:0]      seed_i [Lanes]
);

  logic [15:0] s0_q [Lanes];
  logic [15:0] s1_q [Lanes];

  // ---------------------------------------------------------------- xoroshiro32++
  function automatic logic [15:0] rotl16(logic [15:0] x, int unsigned k);
    return (x << k) | (x >> (16 - k));
  endfunction

  function automatic logic [15:0] rng_output(logic [15:0] s0, logic [15:0] s1);
    return rotl16(s0 + s1, 9) + s0;
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s0_q <= '{default: '0};
      s1_q <= '{default: '0};
    end else if (seed0_i) begin
      s0_q <= seed_i;
    end else if (seed1_i) begin
      s1_q <= seed_i;
    end else if (step_i) begin
      for (int l = 0; l < Lanes; l++) begin
        s0_q[l] <= rotl16(s0_q[l], 13) ^ (s1_q[l] ^ s0_q[l]) ^ ((s1_q[l] ^ s0_q[l]) << 5);
        s1_q[l] <= rotl16(s1_q[l] ^ s0_q[l], 10);
      end
    end
  end

  // ---------------------------------------------------------------- ALU
  function automatic logic [15:0] sat16(logic signed [31:0] x);
    if (x > 32'sd32767) return 16'h7fff;
    if (x < -32'sd32768) return 16'h8000;
    return x[15:0];
  endfunction

  // a * b plus the rounding term, shifted: exact in 32 bits (|a * b| <= 2^30, term < 2^15).
  function automatic logic signed [31:0] mul_shift(logic [15:0] a, logic [15:0] b,
                                                   logic [15:0] term, logic [3:0] shift);
    return (32'($signed(a)) * 32'($signed(b)) + $signed({16'b0, term})) >>> shift;
  endfunction

  // Lanes hold 16 bits: vsrai wraps.
  function automatic logic [15:0] srai_shift(logic [15:0] a, logic [15:0] term, logic [3:0] shift);
    return 16'((32'($signed(a)) + $signed({16'b0, term})) >>> shift);
  endfunction

  // Round half up adds half of the last place shifted out; stochastic rounding adds the lane's
  // generator output masked to the bits shifted out.
  logic [15:0] half, below;
  assign half  = shift_i == 4'd0 ? 16'd0 : 16'd1 << (shift_i - 4'd1);
  assign below = (16'd1 << shift_i) - 16'd1;

  always_comb begin
    writes_o = '1;
    unique case (op_i)
      OpVadd:    for (int l = 0; l < Lanes; l++) result_o[l] = a_i[l] + b_i[l];
      OpVaddS:   for (int l = 0; l < Lanes; l++)
                   result_o[l] = sat16(32'($signed(a_i[l])) + 32'($signed(b_i[l])));
      OpVsub:    for (int l = 0; l < Lanes; l++) result_o[l] = a_i[l] - b_i[l];
      OpVsubS:   for (int l = 0; l < Lanes; l++)
                   result_o[l] = sat16(32'($signed(a_i[l])) - 32'($signed(b_i[l])));
      OpVand:    for (int l = 0; l < Lanes; l++) result_o[l] = a_i[l] & b_i[l];
      // The amount is all 16 bits of vs2[i], unsigned: 16 or more shifts every bit out.
      OpVsll:    for (int l = 0; l < Lanes; l++) result_o[l] = a_i[l] << b_i[l];
      OpVsra:    for (int l = 0; l < Lanes; l++)
                   result_o[l] = 16'($signed(a_i[l]) >>> b_i[l]);
      OpVmul:    for (int l = 0; l < Lanes; l++)
                   result_o[l] = 16'(mul_shift(a_i[l], b_i[l], 16'd0, shift_i));
      OpVmulRn:  for (int l = 0; l < Lanes; l++)
                   result_o[l] = 16'(mul_shift(a_i[l], b_i[l], half, shift_i));
      OpVmulRs:  for (int l = 0; l < Lanes; l++)
                   result_o[l] = 16'(mul_shift(a_i[l], b_i[l],
                                               rng_output(s0_q[l], s1_q[l]) & below, shift_i));
      OpVmulS:   for (int l = 0; l < Lanes; l++)
                   result_o[l] = sat16(mul_shift(a_i[l], b_i[l], 16'd0, shift_i));
      OpVmulSRn: for (int l = 0; l < Lanes; l++)
                   result_o[l] = sat16(mul_shift(a_i[l], b_i[l], half, shift_i));
      OpVmulSRs: for (int l = 0; l < Lanes; l++)
                   result_o[l] = sat16(mul_shift(a_i[l], b_i[l],
                                                 rng_output(s0_q[l], s1_q[l]) & below, shift_i));
      OpVslli:   for (int l = 0; l < Lanes; l++) result_o[l] = a_i[l] << shift_i;
      OpVsrai:   for (int l = 0; l < Lanes; l++)
                   result_o[l] = srai_shift(a_i[l], 16'd0, shift_i);
      OpVsraiRn: for (int l = 0; l < Lanes; l++)
                   result_o[l] = srai_shift(a_i[l], half, shift_i);
      OpVsraiRs: for (int l = 0; l < Lanes; l++)
                   result_o[l] = srai_shift(a_i[l], rng_output(s0_q[l], s1_q[l]) & below, shift_i);
      OpVsel: begin
        result_o = b_i;
        writes_o = xs1_i;
      end
      OpVlui:    result_o = '{default: imm16_i};
      OpVfill:   result_o = '{default: {xs1_i[31], xs1_i[14:0]}};
      OpVrng:    for (int l = 0; l < Lanes; l++)
                   result_o[l] = rng_output(s0_q[l], s1_q[l]) >> 1;
      OpVandadd: for (int l = 0; l < Lanes; l++)
                   result_o[l] = (a_i[l] & ((16'd1 << nbits_i) - 16'd1)) + xs2_i[15:0];
      default: begin
        result_o = a_i;
        writes_o = '0;
      end
    endcase
  end

  always_comb begin
    unique case (op_i)
      OpVteq:  for (int l = 0; l < Lanes; l++) cmp_o[l] = a_i[l] == b_i[l];
      OpVtne:  for (int l = 0; l < Lanes; l++) cmp_o[l] = a_i[l] != b_i[l];
      OpVtlt:  for (int l = 0; l < Lanes; l++) cmp_o[l] = $signed(a_i[l]) < $signed(b_i[l]);
      OpVtge:  for (int l = 0; l < Lanes; l++) cmp_o[l] = $signed(a_i[l]) >= $signed(b_i[l]);
      default: cmp_o = '0;
    endcase
  end

  // Lanes hold 16 bits: vandadd adds the scalar's low half, vfill keeps bits 31 and 14:0.
  logic unused_bits;
  assign unused_bits = ^{xs2_i[31:16], xs1_i[30:15]};

endmodule
