"""Expected values for MuseText's models, from PyTorch (CPU), written to
Tests/MuseTextTests/Fixtures/text_models.safetensors.

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_text_model_fixtures.py
Pinned: torch==2.13.0+cpu, safetensors==0.8.0, numpy==2.4.6.

GPT: nanoGPT's model.py (scripts/nanogpt_model.py), config vocab 11, block 8, 2 layers, 2 heads, 16 wide,
bias on, dropout 0. Stored: the initial weights (nanoGPT's init, seed 0), a batch, its logits,
loss and every parameter's gradient; three steps of nanoGPT's training loop (AdamW groups from
configure_optimizers with weight decay 0.1 and betas (0.9, 0.99), get_lr with warm-up 2, decay to
step 5, min_lr = lr/10, grad_clip 1.0) on stored batches by a bias-free GPT (train.py's default),
and the weights after them; and greedy
decoding (top_k 1) of 12 tokens from a 3-token prompt, which crosses block_size, by a GPT with
N(0, 1) weights
(token embeddings N(0, 0.3²), so a token does not simply predict itself).

char-rnn: Embedding(11, 16) → 2-layer LSTM(16) → Linear(16, 11), two consecutive batches with
the first batch's final state carried (detached) into the second: logits and loss of both, and
the gradients of the second loss.
"""
import math
import torch
import torch.nn as nn
from torch.nn import functional as F
from safetensors.torch import save_file

from nanogpt_model import GPT, GPTConfig

torch.manual_seed(0)
out = {}


cfg = GPTConfig(block_size=8, vocab_size=11, n_layer=2, n_head=2, n_embd=16, dropout=0.0, bias=True)


def put_state(prefix, module):
    for k, v in module.state_dict().items():
        out[f"{prefix}.{k}"] = v.detach().clone().contiguous()


# --- GPT forward, loss, gradients ---
gpt = GPT(cfg)
put_state("gpt.init", gpt)
B, T = 3, 8
idx = torch.randint(0, cfg.vocab_size, (B, T))
targets = torch.randint(0, cfg.vocab_size, (B, T))
logits, loss = gpt(idx, targets)
loss.backward()
out["gpt.idx"] = idx.float()
out["gpt.targets"] = targets.float()
out["gpt.logits"] = logits.detach().clone()
out["gpt.loss"] = loss.detach().reshape(1)
for n, p in gpt.named_parameters():
    out[f"gpt.grad.{n}"] = p.grad.detach().clone()
gpt.zero_grad(set_to_none=True)

# --- nanoGPT's training loop: AdamW groups, warm-up + cosine, clipping ---
learning_rate, min_lr, warmup_iters, lr_decay_iters = 1e-2, 1e-3, 2, 5


def get_lr(it):
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters:
        return min_lr
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
    return min_lr + coeff * (learning_rate - min_lr)


# (without biases, as nanoGPT's train.py: the key bias's gradient is zero in exact arithmetic, so
# Adam would turn its rounding noise into full-size steps of either sign)
torch.manual_seed(1)
gpt = GPT(GPTConfig(block_size=8, vocab_size=11, n_layer=2, n_head=2, n_embd=16, dropout=0.0, bias=False))
put_state("gpt.train.init", gpt)
opt = gpt.configure_optimizers(0.1, learning_rate, (0.9, 0.99))
losses = []
for it in range(3):
    for g in opt.param_groups:
        g['lr'] = get_lr(it)
    x = torch.randint(0, cfg.vocab_size, (2, T))
    y = torch.randint(0, cfg.vocab_size, (2, T))
    out[f"gpt.train.x{it}"] = x.float()
    out[f"gpt.train.y{it}"] = y.float()
    _, l = gpt(x, y)
    l.backward()
    torch.nn.utils.clip_grad_norm_(gpt.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    losses.append(l.item())
out["gpt.train.losses"] = torch.tensor(losses)
put_state("gpt.train.final", gpt)

# --- greedy generation across the block boundary ---
# (a model with N(0, 1) weights, so the most likely token changes from step to step)
gen = GPT(cfg)
with torch.no_grad():
    for p in gen.parameters():
        p.normal_(0.0, 1.0)
    gen.transformer.wte.weight.normal_(0.0, 0.3)
gen.eval()
put_state("gpt.generate.weights", gen)
prompt = torch.tensor([[1, 2, 3]])
out["gpt.generate.prompt"] = prompt.float()
out["gpt.generate.tokens"] = gen.generate(prompt, 12, temperature=1.0, top_k=1)[0, 3:].float()


# --- char-rnn: embedding, 2-layer LSTM, linear; state carried between batches ---
class CharRNN(nn.Module):
    def __init__(self, vocab, hidden, layers):
        super().__init__()
        self.encoder = nn.Embedding(vocab, hidden)
        self.rnn = nn.LSTM(hidden, hidden, layers, batch_first=True)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        h, state = self.rnn(self.encoder(x), state)
        return self.decoder(h), state


rnn = CharRNN(11, 16, 2)
put_state("rnn.init", rnn)
state = None
for k in range(2):
    x = torch.randint(0, 11, (3, 5))
    y = torch.randint(0, 11, (3, 5))
    out[f"rnn.x{k}"] = x.float()
    out[f"rnn.y{k}"] = y.float()
    rnn.zero_grad(set_to_none=True)
    logits, state = rnn(x, state)
    l = F.cross_entropy(logits.reshape(-1, 11), y.reshape(-1))
    l.backward()
    state = tuple(s.detach() for s in state)
    out[f"rnn.logits{k}"] = logits.detach().clone()
    out[f"rnn.loss{k}"] = l.detach().reshape(1)
for n, p in rnn.named_parameters():
    out[f"rnn.grad.{n}"] = p.grad.detach().clone()

save_file({k: v.contiguous() for k, v in out.items()}, "Tests/MuseTextTests/Fixtures/text_models.safetensors")
print(f"wrote {len(out)} tensors; gpt loss {loss.item():.6f}, train losses {losses}, rnn losses",
      out["rnn.loss0"].item(), out["rnn.loss1"].item(), "generated", out["gpt.generate.tokens"].tolist())
