"""Uses PyTorch inside the function."""

EXPECT = {"status": "graded", "lose": {"softmax": "torch"}}


def softmax(x):
    import torch

    return torch.softmax(torch.as_tensor(x), dim=-1).numpy()
