"""safet-filer: files Amazon SAFE-T reimbursement claims in the seller's own browser session."""

__version__ = "0.1.0"
