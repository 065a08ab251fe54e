"""Service-level targets (docs/metrics.md, "SLA"): which policy applies to a conversation,
when each of its clocks falls due, which clocks run now (the desk's at-risk marking) and the
tick that judges them (met or breached) into ``SlaOutcome`` rows for the reports."""

from .clocks import RunningClock, running_clocks
from .judge import sla_tick
from .policies import Policy, policy_for

__all__ = ["Policy", "RunningClock", "policy_for", "running_clocks", "sla_tick"]
