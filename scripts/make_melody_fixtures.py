#!/usr/bin/env python3
"""Writes a melody RNN bundle built in PyTorch, and the logits PyTorch computes with it, so
MuseModels' tests prove that our bundles and torch.nn.LSTM + nn.Linear share names, shapes,
gate order and numerics.

pip install torch==2.13.0+cpu safetensors==0.8.0 numpy==2.4.6 --index-url https://download.pytorch.org/whl/cpu

Also torch_attention_rnn/: the attention_rnn equations of MelodyAttention's doc comment (Magenta's
AttentionCellWrapper) written step by step in torch, attention length 5, same file layout.

Output (Tests/MuseModelsTests/Fixtures/torch_melody_rnn/):
  config.json         a MelodyRNNConfig: basic encoder, 48..<84 (38 classes), 2 layers of 16 units
  model.safetensors   lstm.weight_ih_l0 ... output.bias, as torch's state_dict of the model below
  expected.safetensors  events [T] (melody events as float), logits [1, T-1, 38]
Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_melody_fixtures.py
"""
import json
import os

import numpy
import safetensors
import torch
from safetensors.torch import save_file

assert torch.__version__.startswith("2.13.0"), torch.__version__
assert safetensors.__version__ == "0.8.0", safetensors.__version__
assert numpy.__version__ == "2.4.6", numpy.__version__

MIN_NOTE, MAX_NOTE, HIDDEN, LAYERS = 48, 84, 16, 2
CLASSES = MAX_NOTE - MIN_NOTE + 2


class MelodyRNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(CLASSES, HIDDEN, LAYERS, batch_first=True)
        self.output = torch.nn.Linear(HIDDEN, CLASSES)

    def forward(self, x):
        return self.output(self.lstm(x)[0])


def encode(event):
    """Magenta's MelodyOneHotEncoding: NO_EVENT (-2) -> 0, NOTE_OFF (-1) -> 1, pitch -> pitch - min + 2."""
    return event + 2 if event < 0 else event - MIN_NOTE + 2


torch.manual_seed(7)
model = MelodyRNN().eval()
events = [60, -2, 62, -2, 64, -1, 67, -2, -2, 72, 71, -2, 69, -2, 67, -1, 48, 83, -2, 65]
x = torch.zeros(1, len(events) - 1, CLASSES)
for t, e in enumerate(events[:-1]):
    x[0, t, encode(e)] = 1
with torch.no_grad():
    logits = model(x)

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "MuseModelsTests", "Fixtures", "torch_melody_rnn")
os.makedirs(out, exist_ok=True)
save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(out, "model.safetensors"))
save_file({"events": torch.tensor(events, dtype=torch.float32), "logits": logits.contiguous()},
          os.path.join(out, "expected.safetensors"))
config = {
    "model": "melody_rnn", "encoder": "basic", "minNote": MIN_NOTE, "maxNote": MAX_NOTE, "stepsPerQuarter": 4,
    "lookbackDistances": [16, 32], "binaryCounterBits": 5, "hiddenSize": HIDDEN, "numLayers": LAYERS,
    "dropout": 0.5, "attentionLength": 0, "batchSize": 64, "sequenceLength": 64, "learningRate": 0.001, "clipNorm": 5,
}
with open(os.path.join(out, "config.json"), "w") as f:
    json.dump(config, f, indent=2, sort_keys=True)
print("wrote", out, sorted(model.state_dict().keys()))


# --- attention_rnn -------------------------------------------------------------------------------
ATTN = 5
torch.manual_seed(11)


class AttentionMelodyRNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(CLASSES, HIDDEN, LAYERS, batch_first=True)
        self.attention = torch.nn.Module()
        self.attention.input_projection = torch.nn.Linear(CLASSES + HIDDEN, CLASSES)
        self.attention.query = torch.nn.Linear(2 * LAYERS * HIDDEN, HIDDEN)
        self.attention.keys = torch.nn.Linear(HIDDEN, HIDDEN, bias=False)
        self.attention.v = torch.nn.Parameter(torch.rand(HIDDEN) - 0.5)
        self.attention.output_projection = torch.nn.Linear(2 * HIDDEN, HIDDEN)
        self.output = torch.nn.Linear(HIDDEN, CLASSES)

    def forward(self, x):
        B, T, _ = x.shape
        att = self.attention
        a = torch.zeros(B, HIDDEN)
        memory = torch.zeros(B, ATTN, HIDDEN)
        h = torch.zeros(LAYERS, B, HIDDEN)
        c = torch.zeros(LAYERS, B, HIDDEN)
        outs = []
        for t in range(T):
            xin = att.input_projection(torch.cat([x[:, t], a], 1)).unsqueeze(1)
            y, (h, c) = self.lstm(xin, (h, c))
            cell_out = y[:, 0]
            q = att.query(torch.cat([torch.cat([c[k], h[k]], 1) for k in range(LAYERS)], 1)).unsqueeze(1)
            scores = (torch.tanh(att.keys(memory) + q) * att.v).sum(2)
            alpha = torch.softmax(scores, -1)
            a = (alpha.unsqueeze(2) * memory).sum(1)
            o = att.output_projection(torch.cat([cell_out, a], 1))
            memory = torch.cat([memory[:, 1:], o.unsqueeze(1)], 1)
            outs.append(o)
        return self.output(torch.stack(outs, 1))


amodel = AttentionMelodyRNN().eval()
with torch.no_grad():
    alogits = amodel(x)
aout = os.path.join(os.path.dirname(__file__), "..", "Tests", "MuseModelsTests", "Fixtures", "torch_attention_rnn")
os.makedirs(aout, exist_ok=True)
save_file({k: v.contiguous() for k, v in amodel.state_dict().items()}, os.path.join(aout, "model.safetensors"))
save_file({"events": torch.tensor(events, dtype=torch.float32), "logits": alogits.contiguous()},
          os.path.join(aout, "expected.safetensors"))
config["attentionLength"] = ATTN
config["clipNorm"] = 3
with open(os.path.join(aout, "config.json"), "w") as f:
    json.dump(config, f, indent=2, sort_keys=True)
print("wrote", aout, sorted(amodel.state_dict().keys()))
