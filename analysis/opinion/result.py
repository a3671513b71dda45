"""Typed results of the opinion-group analysis, and the state carried between re-runs of a live hearing.

Everything here converts to plain JSON types with ``to_dict()`` (group ids become string keys, as JSON requires);
``OpinionState.from_dict`` reads its own output back, so the web layer can keep the state in a JSON column.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STATE_VERSION = 1


@dataclass(frozen=True)
class RepComment:
    """A comment that represents a group: the group agrees (or disagrees) with it more than the other groups do.

    ``p_success`` = (n + 1) / (n_seen + 2) for the group's agree (or disagree) count n; ``p_test`` its one-sample
    test against 1/2; ``repness`` the ratio of that probability to the same probability among the other groups;
    ``repness_test`` the two-proportion z value of that difference (Polis' formulas, analysis.md §1.6).
    """

    comment_id: str
    direction: str  # "agree" | "disagree"
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    n_agree: int
    n_disagree: int
    n_seen: int
    best_agree: bool = False  # chosen by Polis' "best agree" rule, so the group always has one agreed statement


@dataclass(frozen=True)
class ConsensusComment:
    """A comment most participants agree (or disagree) with, regardless of groups (Polis' classic consensus)."""

    comment_id: str
    p: float
    p_test: float
    n_agree: int
    n_disagree: int
    n_seen: int


@dataclass(frozen=True)
class DivisiveComment:
    """A comment on which the groups' agree shares differ most (definition in ``consensus.divisive_comments``)."""

    comment_id: str
    score: float
    agree_share: dict[int, float]  # per group: raw share agree / seen (0.0 when nobody in the group saw it)
    n_seen: dict[int, int]


@dataclass(frozen=True)
class GroupVotes:
    """One group's final votes on one comment (in-conv members only)."""

    agree: int
    disagree: int
    passed: int

    @property
    def seen(self) -> int:
        return self.agree + self.disagree + self.passed


@dataclass
class OpinionState:
    """What a re-run needs to stay close to the previous run (analysis.md §1.3-1.5).

    * ``components``: the previous PCA axes per comment id, so new axes keep their sign (and order);
    * ``base_centres`` and ``group_centres``: warm starts for both k-means steps;
    * ``groups``: previous membership (every in-conv participant), to give new groups the ids of the old groups they
      overlap most, and because once a participant is clustered they stay clustered (Polis' rule);
    * ``smoothed_k``/``candidate_k``/``candidate_runs``: the k-smoother (a new k must win ``k_buffer`` runs in a row).
    """

    components: dict[str, tuple[float, float]] = field(default_factory=dict)
    base_centres: list[tuple[float, float]] = field(default_factory=list)
    group_centres: dict[int, tuple[float, float]] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    smoothed_k: int | None = None
    candidate_k: int | None = None
    candidate_runs: int = 0
    runs: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "components": {cid: [float(a), float(b)] for cid, (a, b) in self.components.items()},
            "base_centres": [[float(x), float(y)] for x, y in self.base_centres],
            "group_centres": {str(g): [float(x), float(y)] for g, (x, y) in self.group_centres.items()},
            "groups": dict(self.groups),
            "smoothed_k": self.smoothed_k,
            "candidate_k": self.candidate_k,
            "candidate_runs": self.candidate_runs,
            "runs": self.runs,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> OpinionState:
        """Read ``to_dict()`` output; an unknown version or a damaged dict gives a fresh state (a cold start)."""
        if not data or data.get("version") != STATE_VERSION:
            return cls()
        try:
            return cls(
                components={str(c): (float(v[0]), float(v[1])) for c, v in data.get("components", {}).items()},
                base_centres=[(float(x), float(y)) for x, y in data.get("base_centres", [])],
                group_centres={int(g): (float(v[0]), float(v[1])) for g, v in data.get("group_centres", {}).items()},
                groups={str(p): int(g) for p, g in data.get("groups", {}).items()},
                smoothed_k=None if data.get("smoothed_k") is None else int(data["smoothed_k"]),
                candidate_k=None if data.get("candidate_k") is None else int(data["candidate_k"]),
                candidate_runs=int(data.get("candidate_runs", 0)),
                runs=int(data.get("runs", 0)),
            )
        except (TypeError, ValueError, IndexError, AttributeError):
            return cls()


@dataclass
class OpinionResult:
    """Opinion groups, representative comments and consensus of one conversation.

    ``status`` is "ok" or "insufficient"; when insufficient, ``reason`` is a stable code (for translation) and
    ``explanation`` says in English what is missing. Group ids are stable labels kept across re-runs (matched to the
    previous run's groups), so they are not always 0..k-1.
    """

    status: str
    reason: str | None
    explanation: str
    k: int = 0
    groups: dict[str, int] = field(default_factory=dict)
    projection: dict[str, tuple[float, float]] = field(default_factory=dict)
    comment_projection: dict[str, tuple[float, float]] = field(default_factory=dict)
    group_sizes: dict[int, int] = field(default_factory=dict)
    repness: dict[int, list[RepComment]] = field(default_factory=dict)
    consensus: dict[str, list[ConsensusComment]] = field(default_factory=lambda: {"agree": [], "disagree": []})
    group_informed_consensus: dict[str, float] = field(default_factory=dict)
    divisive: list[DivisiveComment] = field(default_factory=list)
    comment_votes: dict[str, dict[int, GroupVotes]] = field(default_factory=dict)
    silhouette: dict[int, float] = field(default_factory=dict)  # per candidate k, on the base-cluster centres
    n_participants: int = 0
    n_in_conv: int = 0
    n_comments: int = 0
    n_votes: int = 0
    dropped_votes: int = 0  # records that were not (participant, comment, -1/0/+1) or named an unknown comment
    state: OpinionState = field(default_factory=OpinionState)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self, *, include_state: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status,
            "reason": self.reason,
            "explanation": self.explanation,
            "k": self.k,
            "groups": dict(self.groups),
            "group_sizes": {str(g): n for g, n in self.group_sizes.items()},
            "projection": {p: [float(x), float(y)] for p, (x, y) in self.projection.items()},
            "comment_projection": {c: [float(x), float(y)] for c, (x, y) in self.comment_projection.items()},
            "repness": {str(g): [asdict(r) for r in reps] for g, reps in self.repness.items()},
            "consensus": {d: [asdict(c) for c in items] for d, items in self.consensus.items()},
            "group_informed_consensus": dict(self.group_informed_consensus),
            "divisive": [
                {
                    "comment_id": d.comment_id,
                    "score": d.score,
                    "agree_share": {str(g): s for g, s in d.agree_share.items()},
                    "n_seen": {str(g): n for g, n in d.n_seen.items()},
                }
                for d in self.divisive
            ],
            "comment_votes": {
                c: {str(g): {"agree": v.agree, "disagree": v.disagree, "pass": v.passed} for g, v in per.items()}
                for c, per in self.comment_votes.items()
            },
            "silhouette": {str(k): s for k, s in self.silhouette.items()},
            "n_participants": self.n_participants,
            "n_in_conv": self.n_in_conv,
            "n_comments": self.n_comments,
            "n_votes": self.n_votes,
            "dropped_votes": self.dropped_votes,
        }
        if include_state:
            data["state"] = self.state.to_dict()
        return data
