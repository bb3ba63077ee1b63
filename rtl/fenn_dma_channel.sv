// Command side of one DMA channel: its CSRs (source, destination, count, control, status), the
// start-time checks and the completion schedule of docs/isa.md ("DMA engine"). A transfer of n
// bytes started in cycle t0 is busy in t0+1 .. t0+L-1 and idle from t0+L, L = 10 + 4*n/64, unless
// its data mover (fenn_dma_mm2s / fenn_dma_s2mm) is still working then: completion waits for it
// (a stalling AXI slave), and takes the error responses the mover received.
module fenn_dma_channel
  import fenn_isa_pkg::*;
  import fenn_pkg::*;
#(
  parameter int unsigned SrcBytes = 256 * 1024 * 1024,  // size of the memory it reads
  parameter int unsigned DstBytes = 512 * 1024          // size of the memory it writes
) (
  input  logic         clk_i,
  input  logic         rst_ni,

  input  dma_reg_e     sel_i,         // register named by the CSR in execute
  input  dma_csr_wr_t  wr_i,          // its write, already selected for this channel
  output logic [31:0]  csr_rdata_o,   // the register sel_i names

  // Data mover.
  output logic         start_o,       // a well-formed transfer starts (pulse)
  output logic [31:0]  src_o,
  output logic [31:0]  dst_o,
  output logic [31:0]  count_o,
  input  logic         mover_busy_i,
  input  axi_errs_t    mover_errs_i,  // the error responses the AXI slave gave the transfer
  output logic         active_o,      // starting or busy: the AXI port may be in use

  output logic [19:0]  done_bytes_o   // bytes of the transfer completing this cycle, else 0
);

  logic [31:0] src_q, dst_q, count_q;     // registers as the program wrote them
  logic [31:0] count_run_q, elapsed_q, deadline_q;
  logic        busy_q, ok_q, err_slave_q, err_decode_q, err_internal_q;

  // Checks at start, internal before decode.
  logic        start_req, internal_err, decode_err, finish;
  assign start_req    = wr_i.we && sel_i == DmaRegControl && wr_i.wdata[0] && !busy_q;
  assign internal_err = src_q[5:0] != 6'b0 || dst_q[5:0] != 6'b0 || count_q[5:0] != 6'b0
                        || count_q == 32'b0 || count_q >= DmaMaxBytes;
  assign decode_err   = 33'(src_q) + 33'(count_q) > 33'(SrcBytes)
                        || 33'(dst_q) + 33'(count_q) > 33'(DstBytes);
  assign start_o      = start_req && !internal_err && !decode_err;
  assign finish       = busy_q && elapsed_q >= deadline_q && !mover_busy_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      src_q          <= '0;
      dst_q          <= '0;
      count_q        <= '0;
      count_run_q    <= '0;
      elapsed_q      <= '0;
      deadline_q     <= '0;
      busy_q         <= 1'b0;
      ok_q           <= 1'b0;
      err_slave_q    <= 1'b0;
      err_decode_q   <= 1'b0;
      err_internal_q <= 1'b0;
    end else begin
      if (wr_i.we) begin
        unique case (sel_i)
          DmaRegSrc:   src_q   <= wr_i.wdata;
          DmaRegDst:   dst_q   <= wr_i.wdata;
          DmaRegCount: count_q <= wr_i.wdata;
          default: ;
        endcase
      end
      if (start_req && !start_o) begin
        // A rejected command reports its error at once; an accepted one keeps the outcome of
        // the last command visible until it completes.
        ok_q           <= 1'b0;
        err_slave_q    <= 1'b0;
        err_internal_q <= internal_err;
        err_decode_q   <= !internal_err && decode_err;
      end
      if (start_o) begin
        busy_q      <= 1'b1;
        elapsed_q   <= 32'd1;
        count_run_q <= count_q;
        // Busy until cycle t0 + L - 1: L - 1 = 9 + 4 * n / 64.
        deadline_q  <= DmaSetupCycles - 1 + DmaCyclesPerVector * (count_q / DmaAlign);
      end else if (busy_q) begin
        elapsed_q <= elapsed_q + 32'd1;
      end
      if (finish) begin
        busy_q         <= 1'b0;
        ok_q           <= !(mover_errs_i.slv_err || mover_errs_i.dec_err);
        err_slave_q    <= mover_errs_i.slv_err;
        err_decode_q   <= mover_errs_i.dec_err;
        err_internal_q <= 1'b0;
      end
    end
  end

  assign src_o        = src_q;
  assign dst_o        = dst_q;
  assign count_o      = count_q;
  assign active_o     = start_o || busy_q;
  assign done_bytes_o = finish ? count_run_q[19:0] : 20'b0;

  logic [7:0]  status;
  logic [31:0] status_word;  // the status CSR (the testbench reads it too)
  assign status_word = {24'b0, status};
  always_comb begin
    status                  = '0;
    status[DmaIdle]         = !busy_q;
    status[DmaStarting]     = busy_q && elapsed_q < DmaSetupCycles;
    status[DmaTransferring] = busy_q && elapsed_q >= DmaSetupCycles;
    status[DmaErrSlave]     = err_slave_q;
    status[DmaErrDecode]    = err_decode_q;
    status[DmaErrInternal]  = err_internal_q;
    status[DmaOk]           = ok_q;
    unique case (sel_i)
      DmaRegSrc:    csr_rdata_o = src_q;
      DmaRegDst:    csr_rdata_o = dst_q;
      DmaRegCount:  csr_rdata_o = count_q;
      DmaRegStatus: csr_rdata_o = status_word;
      default:      csr_rdata_o = '0;  // control reads 0
    endcase
  end

  logic unused_bits;
  assign unused_bits = ^count_run_q[31:20];  // counts stay below 2^19

endmodule
