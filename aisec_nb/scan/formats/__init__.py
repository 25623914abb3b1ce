"""Parsers of single-file model formats: NumPy, safetensors, GGUF, HDF5/Keras, ONNX, SavedModel,
legacy PyTorch.
"""
