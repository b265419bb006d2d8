"""The pieces of the Scalyr simulator: event store and generator, filter language, methods."""
