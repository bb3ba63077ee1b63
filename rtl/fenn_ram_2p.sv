// True dual-port synchronous RAM, whole-word writes, read data in the cycle after the request.
// The vector memory (URAM: port A the vector unit, port B the DMA engine) and the instruction
// memory (port A the core's fetch, port B the host's code upload). The two ports must not touch
// one word in one cycle (docs/isa.md: DMA ranges are undefined to the program while in flight).
module fenn_ram_2p #(
  parameter int unsigned Width = 512,
  parameter int unsigned Depth = 8192,
  // Synthesis only (Xilinx ram_style): "block" BRAM, "ultra" URAM. A comment to the simulator.
  /* verilator lint_off UNUSEDPARAM */
  parameter string       RamStyle = "block",
  /* verilator lint_on UNUSEDPARAM */
  localparam int unsigned Aw = $clog2(Depth)
) (
  input  logic             clk_i,
  input  logic             a_req_i,
  input  logic             a_we_i,
  input  logic [Aw-1:0]    a_addr_i,
  input  logic [Width-1:0] a_wdata_i,
  output logic [Width-1:0] a_rdata_o,
  input  logic             b_req_i,
  input  logic             b_we_i,
  input  logic [Aw-1:0]    b_addr_i,
  input  logic [Width-1:0] b_wdata_i,
  output logic [Width-1:0] b_rdata_o
);

  (* ram_style = RamStyle *) logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (a_req_i) begin
      if (a_we_i) mem_q[a_addr_i] <= a_wdata_i;
      else        a_rdata_o <= mem_q[a_addr_i];
    end
  end

  always_ff @(posedge clk_i) begin
    if (b_req_i) begin
      if (b_we_i) mem_q[b_addr_i] <= b_wdata_i;
      else        b_rdata_o <= mem_q[b_addr_i];
    end
  end

`ifndef SYNTHESIS
  // The ports never touch one word in one cycle (checked in the simulation build).
  a_no_same_word: assert property (@(posedge clk_i)
      !(a_req_i && b_req_i && a_addr_i == b_addr_i))
    else $error("both ports access word %0d in one cycle", a_addr_i);
`endif

endmodule
