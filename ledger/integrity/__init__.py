"""Verifiable history (issue 11): Merkle leaves, stored subtrees, proofs, checkpoints, verify.

Nothing here touches a database or the rest of Adviesspoor: the recorder stores what `append`
returns in the same transaction as the events, the HTTP side answers with `inclusion_proof` and
`consistency_proof` over the stored nodes, and `verifier.main` is `adviesspoor verify`.
"""

from .checkpoint import (
    Checkpoint,
    CheckpointError,
    check_consistency,
    cosign_checkpoint,
    open_checkpoint,
    read_checkpoint,
    sign_checkpoint,
)
from .export import checkpoint_line, event_line, header_line
from .leaf import Leaf, LeafError, format_moment
from .merkle import EMPTY_ROOT, hash_children, hash_leaf, root_of
from .nodes import (
    MemoryNodes,
    MissingNodeError,
    NodeKey,
    NodeReader,
    append,
    append_keys,
    append_nodes,
    frontier_keys,
    root,
)
from .note import NoteError, SignerKey, VerifierKey, generate_key
from .proofs import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from .verifier import VerificationError, Verified, verify_export, verify_file

__all__ = [
    "EMPTY_ROOT",
    "Checkpoint",
    "CheckpointError",
    "Leaf",
    "LeafError",
    "MemoryNodes",
    "MissingNodeError",
    "NodeKey",
    "NodeReader",
    "NoteError",
    "ProofError",
    "SignerKey",
    "VerificationError",
    "Verified",
    "VerifierKey",
    "append",
    "append_keys",
    "append_nodes",
    "check_consistency",
    "checkpoint_line",
    "consistency_proof",
    "cosign_checkpoint",
    "event_line",
    "format_moment",
    "frontier_keys",
    "generate_key",
    "hash_children",
    "hash_leaf",
    "header_line",
    "inclusion_proof",
    "open_checkpoint",
    "read_checkpoint",
    "root",
    "root_of",
    "sign_checkpoint",
    "verify_consistency",
    "verify_export",
    "verify_file",
    "verify_inclusion",
]
