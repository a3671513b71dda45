"""Opinion groups and consensus from agree / disagree / pass votes, following Polis' published method.

Re-implemented from the formulas in ../shared/design/analysis.md §1 (numpy, scipy, scikit-learn; no Polis code).
"""

from analysis.opinion.consensus import classic_consensus, divisive_comments, group_informed_consensus
from analysis.opinion.matrix import VoteMatrix, VoteRecord, build_vote_matrix, in_conv_mask
from analysis.opinion.pipeline import compute_opinion_groups
from analysis.opinion.polis_export import PolisExport, read_polis_export
from analysis.opinion.result import (
    ConsensusComment,
    DivisiveComment,
    GroupVotes,
    OpinionResult,
    OpinionState,
    RepComment,
)
from analysis.opinion.stats import prop_test, two_prop_test

__all__ = [
    "ConsensusComment",
    "DivisiveComment",
    "GroupVotes",
    "OpinionResult",
    "OpinionState",
    "PolisExport",
    "RepComment",
    "VoteMatrix",
    "VoteRecord",
    "build_vote_matrix",
    "classic_consensus",
    "compute_opinion_groups",
    "divisive_comments",
    "group_informed_consensus",
    "in_conv_mask",
    "prop_test",
    "read_polis_export",
    "two_prop_test",
]
