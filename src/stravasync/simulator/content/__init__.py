"""What the simulated Strava holds, made from the seed: athletes, their activities and every
part Strava serves of them (details, streams, stats, the account-export archive).

:class:`stravasync.simulator.Simulator` is the way in; these modules are its world.
"""
