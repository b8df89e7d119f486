"""A musegen model file (format version 2, docs/model.md) read in plain Python: an independent
reader for tests and peers, written from the documented layout, not from the C++ code.

    description, weights = read_model(path)   # JSON dict, {name: torch.Tensor (float32)}
"""
import json
import struct


class ModelFileError(Exception):
    pass


def _blocks(data, path):
    if data[:8] != b'MUSEGENM':
        raise ModelFileError(f'{path}: not a musegen model file')
    (version,) = struct.unpack_from('<I', data, 8)
    if version != 2:
        raise ModelFileError(f'{path}: format version {version}, this reader knows 2')
    pos, blocks = 12, []
    for _ in range(3):
        (length,) = struct.unpack_from('<Q', data, pos)
        blocks.append(data[pos + 8:pos + 8 + length])
        pos += 8 + length
    if pos + 8 != len(data):
        raise ModelFileError(f'{path}: {len(data) - pos - 8} stray bytes before the checksum')
    return blocks


def read_tensor_block(block):
    """{name: (shape, raw little-endian float32 bytes)} of a tensor block, in file order."""
    if not block:
        return {}
    (count,) = struct.unpack_from('<I', block, 0)
    pos, heads = 4, []
    for _ in range(count):
        (name_length,) = struct.unpack_from('<H', block, pos)
        name = block[pos + 2:pos + 2 + name_length].decode('ascii')
        pos += 2 + name_length
        dtype, rank = block[pos], block[pos + 1]
        if dtype != 1:
            raise ModelFileError(f'{name}: dtype {dtype} is not float32')
        shape = struct.unpack_from(f'<{rank}Q', block, pos + 2)
        pos += 2 + 8 * rank
        offset, length = struct.unpack_from('<QQ', block, pos)
        pos += 16
        heads.append((name, shape, offset, length))
    data = block[pos:]
    return {name: (shape, data[offset:offset + length]) for name, shape, offset, length in heads}


def read_model(path):
    """(JSON description, {parameter name: float32 torch.Tensor}) of a model file."""
    import torch
    with open(path, 'rb') as f:
        data = f.read()
    description, weights, _ = _blocks(data, path)
    tensors = {}
    for name, (shape, raw) in read_tensor_block(weights).items():
        tensors[name] = torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(shape)
    return json.loads(description), tensors
