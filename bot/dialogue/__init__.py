"""The platform-free counselling dialogue engine."""
