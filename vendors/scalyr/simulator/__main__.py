from vendors.scalyr.simulator import ScalyrSimulator

ScalyrSimulator.main()
