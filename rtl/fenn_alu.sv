// Scalar ALU of the core: RV32I arithmetic, the single-cycle M multiplies and the Zbb subset.
// Purely combinational; `b_i` is xs2 or the immediate, chosen by the core.
module fenn_alu
  import fenn_isa_pkg::*;
(
  input  op_e         op_i,
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] result_o
);

  logic [4:0]  shamt;
  logic [63:0] prod;
  logic [32:0] mul_a, mul_b;
  logic [5:0]  clz, ctz, cpop;

  assign shamt = b_i[4:0];

  // One 33 x 33 signed multiplier serves mul, mulh, mulhsu and mulhu.
  always_comb begin
    mul_a = {op_i inside {OpMulh, OpMulhsu} & a_i[31], a_i};
    mul_b = {(op_i == OpMulh) & b_i[31], b_i};
  end
  logic [65:0] prod_full;
  assign prod_full = 66'($signed(mul_a) * $signed(mul_b));
  assign prod      = prod_full[63:0];

  always_comb begin
    clz = 6'd32;
    for (int i = 0; i < 32; i++) begin
      if (a_i[i]) clz = 6'(31 - i);
    end
    ctz = 6'd32;
    for (int i = 31; i >= 0; i--) begin
      if (a_i[i]) ctz = 6'(i);
    end
    cpop = '0;
    for (int i = 0; i < 32; i++) begin
      cpop = cpop + 6'(a_i[i]);
    end
  end

  always_comb begin
    unique case (op_i)
      OpAdd, OpAddi:   result_o = a_i + b_i;
      OpSub:           result_o = a_i - b_i;
      OpSll, OpSlli:   result_o = a_i << shamt;
      OpSrl, OpSrli:   result_o = a_i >> shamt;
      OpSra, OpSrai:   result_o = 32'($signed(a_i) >>> shamt);
      OpSlt, OpSlti:   result_o = {31'b0, $signed(a_i) < $signed(b_i)};
      OpSltu, OpSltiu: result_o = {31'b0, a_i < b_i};
      OpXor, OpXori:   result_o = a_i ^ b_i;
      OpOr, OpOri:     result_o = a_i | b_i;
      OpAnd, OpAndi:   result_o = a_i & b_i;
      OpMul:           result_o = prod[31:0];
      OpMulh, OpMulhsu, OpMulhu: result_o = prod[63:32];
      OpClz:           result_o = {26'b0, clz};
      OpCtz:           result_o = {26'b0, ctz};
      OpCpop:          result_o = {26'b0, cpop};
      OpSextB:         result_o = {{24{a_i[7]}}, a_i[7:0]};
      OpSextH:         result_o = {{16{a_i[15]}}, a_i[15:0]};
      default:         result_o = a_i + b_i;
    endcase
  end

  logic unused_prod_hi;
  assign unused_prod_hi = ^prod_full[65:64];

endmodule
