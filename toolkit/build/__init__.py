"""Turning a review into a report folder: papermill and nbconvert, the manifest, batches, warm kernels."""
