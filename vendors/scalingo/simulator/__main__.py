from vendors.scalingo.simulator import ScalingoSimulator

ScalingoSimulator.main()
