# Start-up and the host-flag protocol of compiled networks (docs/compiler.md, "Host protocol").
#
# The compiler defines the addresses (.equ MAILBOX, DONE, SEEDS, COUNTERS_START, COUNTERS_END)
# and generates net_init and net_run; this file is assembled before them, so _start is at 0.
#
#   host: write the sample's input bitfields (dmem) and RNG seeds (vmem), release reset
#   here: flag = 0; v0 = 0; load the seeds; snapshot counters; net_init; net_run;
#         snapshot counters; flag = DONE; ecall (in simulation; hardware would spin)
#   host: wait for flag == DONE, read the readout, spike record, state and counters

    .text
_start:
    sw      zero, MAILBOX(zero)        # running
    vlui    v0, 0                      # generated kernels read zeros from v0
    li      t6, SEEDS
    vloadr0 0(t6)                      # S0 of every lane
    vloadr1 64(t6)                     # S1 (no RNG step may follow a vloadr directly)
    li      a0, COUNTERS_START
    jal     ra, counters_snapshot
    jal     ra, net_init
    jal     ra, net_run
    li      a0, COUNTERS_END
    jal     ra, counters_snapshot
    li      t6, DONE
    sw      t6, MAILBOX(zero)          # outputs complete
    ecall
