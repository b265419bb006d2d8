from vendors.scalr.simulator.server import ScalrSimulator

ScalrSimulator.main()
