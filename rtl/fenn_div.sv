// Radix-2 restoring divider for div, divu, rem, remu: 1 + 32 cycles (docs/isa.md, cycle model).
// The start cycle takes the operands and does the first of 32 iterations; the result is valid in
// the 33rd cycle (done_o), when the core retires the instruction.
module fenn_div (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,   // first cycle of a div/rem instruction
  input  logic        signed_i,  // div, rem
  input  logic        rem_i,     // rem, remu
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic        busy_o,    // cycles 2..33 of the instruction
  output logic        done_o,    // cycle 33: result_o is valid
  output logic [31:0] result_o
);

  logic        busy_q, neg_q, rem_q, by_zero_q;
  logic [5:0]  count_q;
  logic [31:0] part_q, quot_q, divisor_q, dividend_q;

  logic [31:0] abs_a, abs_b, part_in, quot_in, divisor_in;
  logic [32:0] trial;

  assign abs_a = (signed_i && a_i[31]) ? -a_i : a_i;
  assign abs_b = (signed_i && b_i[31]) ? -b_i : b_i;

  // One iteration: shift the next dividend bit into the partial remainder, subtract if it fits.
  assign part_in    = start_i ? 32'b0 : part_q;
  assign quot_in    = start_i ? abs_a : quot_q;
  assign divisor_in = start_i ? abs_b : divisor_q;
  assign trial      = {part_in, quot_in[31]} - {1'b0, divisor_in};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q     <= 1'b0;
      count_q    <= '0;
      part_q     <= '0;
      quot_q     <= '0;
      divisor_q  <= '0;
      dividend_q <= '0;
      neg_q      <= 1'b0;
      rem_q      <= 1'b0;
      by_zero_q  <= 1'b0;
    end else if (start_i || (busy_q && count_q != 6'd32)) begin
      busy_q  <= 1'b1;
      count_q <= start_i ? 6'd1 : count_q + 6'd1;
      part_q  <= trial[32] ? {part_in[30:0], quot_in[31]} : trial[31:0];
      quot_q  <= {quot_in[30:0], ~trial[32]};
      if (start_i) begin
        divisor_q  <= abs_b;
        dividend_q <= a_i;
        rem_q      <= rem_i;
        by_zero_q  <= b_i == 32'b0;
        // Sign of the result: the quotient's is sign(a) ^ sign(b), the remainder's sign(a).
        neg_q      <= signed_i && (rem_i ? a_i[31] : a_i[31] ^ b_i[31]);
      end
    end else if (busy_q) begin
      busy_q <= 1'b0;
    end
  end

  assign busy_o = busy_q;
  assign done_o = busy_q && count_q == 6'd32;

  // Division by zero: quotient all ones, remainder the dividend (RISC-V M, no trap).
  always_comb begin
    if (by_zero_q)  result_o = rem_q ? dividend_q : 32'hffff_ffff;
    else if (rem_q) result_o = neg_q ? -part_q : part_q;
    else            result_o = neg_q ? -quot_q : quot_q;
  end

endmodule
