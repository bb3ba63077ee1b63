# DMA helpers (docs/isa.md, "DMA engine"): DDR -> vector memory on the MM2S channel.
# The caller writes dma_mm2s_count once per transfer size. They clobber t6 only.

    .text
# Start a transfer of dma_mm2s_count bytes from DDR address a0 to vector-memory address a1.
dma_mm2s_start:
    csrw    dma_mm2s_src, a0
    csrw    dma_mm2s_dst, a1
    csrwi   dma_mm2s_control, 1
    ret

# Wait until the channel is idle; a transfer that ended without OK stops the machine (ebreak),
# which the host reports as a DMA error.
dma_mm2s_wait:
    csrr    t6, dma_mm2s_status
    andi    t6, t6, 2                  # idle
    beqz    t6, dma_mm2s_wait
    csrr    t6, dma_mm2s_status
    andi    t6, t6, 128                # OK
    bnez    t6, 1f
    ebreak
1:
    ret
