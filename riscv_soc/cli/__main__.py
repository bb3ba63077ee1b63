from riscv_soc.cli import main

main()
