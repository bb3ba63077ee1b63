// Single-port synchronous RAM with byte enables: read data arrives in the cycle after the
// request (a BRAM with its output latch). Used for scalar data memory and the lane-local memories.
// No reset and no initial contents: the host (or the testbench backdoor) loads it.
module fenn_ram_1p #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 1024,
  parameter bit          ByteWrites = 1'b1,  // 0: be_i is ignored, writes are whole words
  localparam int unsigned Aw = $clog2(Depth),
  localparam int unsigned Bytes = Width / 8
) (
  input  logic             clk_i,
  input  logic             req_i,
  input  logic             we_i,
  input  logic [Bytes-1:0] be_i,
  input  logic [Aw-1:0]    addr_i,
  input  logic [Width-1:0] wdata_i,
  output logic [Width-1:0] rdata_o
);

  // Synthesis: block RAM (BRAM). Without it Yosys' xcup library offers a 64K x 1 LUT-RAM it
  // cannot map ("invalid OPTION_ABITS/WIDTH combination") for the 128 KiB scalar data memory.
  (* ram_style = "block" *) logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (req_i) begin
      if (we_i && !ByteWrites) begin
        mem_q[addr_i] <= wdata_i;
      end else if (we_i) begin
        for (int b = 0; b < Bytes; b++) begin
          if (be_i[b]) mem_q[addr_i][8*b +: 8] <= wdata_i[8*b +: 8];
        end
      end else begin
        rdata_o <= mem_q[addr_i];
      end
    end
  end

endmodule
