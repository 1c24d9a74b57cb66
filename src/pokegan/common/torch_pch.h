// Precompiled header for the LibTorch translation units (each plain include of torch/torch.h costs
// about 30 s to parse on these machines; the PCH pays it once per target).
#pragma once
#include <torch/torch.h>
