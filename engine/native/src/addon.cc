// The N-API surface of the native backend (see engine/src/backend/native/addon.ts for the
// TypeScript declaration). Pointers travel to JavaScript as numbers (exact below 2^53).
// Hot calls (exec, runProgram) take one integer and exchange pointers through a shared
// Float64Array ("io") so that they convert no arrays and allocate no JavaScript objects.
#include <napi.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <typeinfo>
#include <unordered_map>
#include <vector>

#include <algorithm>
#include <csignal>
#include <cstring>
#if defined(_WIN32)
#include <io.h>
#else
#include <unistd.h>
#endif

#include "common.h"
#include "portable.h"
#include "gemm.h"
#include "ops.h"
#include "pool.h"
#include "scalar.h"

using namespace tl;

namespace {

constexpr size_t IO_SIZE = 8192;
double* io = nullptr;

// The op that started last (its description, made when it was created) and whether one is
// running: the crash handler names it. One pointer store per step or eager call.
const char* volatile lastOp = nullptr;
volatile sig_atomic_t inOp = 0;

// Per-step timing for the profiler (setStepTiming): null when off. stepTimes[0] is the number
// of steps the last runProgram timed; step k ran from stepTimes[1 + 2k] to stepTimes[2 + 2k]
// (steady_clock milliseconds, see steadyMs).
double* stepTimes = nullptr;
int64_t stepCap = 0;  // steps that fit

std::vector<std::unique_ptr<Op>> ops;  // id -> op (null once destroyed)
std::vector<int> freeOpIds;

enum SlotKind { S_INPUT = 0, S_CONST = 1, S_ARENA = 2, S_FRESH = 3 };

struct Program {
  int numSlots = 0, numInputs = 0;
  std::vector<int64_t> bytes, arenaOff;
  std::vector<int> kind;
  std::vector<void*> consts;
  struct Step { Op* op; std::vector<int> in, out; };
  std::vector<Step> steps;
  std::vector<int> opIds;
  std::vector<int> outputs;
  void* arena = nullptr;
  int64_t arenaBytes = 0;
  std::vector<void*> ptr;
  std::vector<const void*> inPtrs;
  std::vector<void*> outPtrs;
  ~Program() {
    for (void* p : consts) alignedFree(p);
    alignedFree(arena);
  }
};
std::vector<std::unique_ptr<Program>> programs;

inline void* toPtr(double d) { return reinterpret_cast<void*>(static_cast<uintptr_t>(d)); }
inline double fromPtr(const void* p) { return static_cast<double>(reinterpret_cast<uintptr_t>(p)); }

const double* f64Data(const Napi::Value& v, size_t& n) {
  auto ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_float64_array) { n = 0; return nullptr; }
  auto f = v.As<Napi::Float64Array>();
  n = f.ElementLength();
  return f.Data();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("simd", simdName(simdLevel()));
  o.Set("threads", numThreads());
  o.Set("microKernel", activeMicroKernel().name);
  Napi::Array un = Napi::Array::New(env), bin = Napi::Array::New(env);
  uint32_t i = 0;
#define TL_NAME(n) un.Set(i++, #n);
  TL_UNARY_OPS(TL_NAME)
#undef TL_NAME
  i = 0;
#define TL_NAME(n) bin.Set(i++, #n);
  TL_BINARY_OPS(TL_NAME)
#undef TL_NAME
  o.Set("unary", un);
  o.Set("binary", bin);
  return o;
}

Napi::Value Io(const Napi::CallbackInfo& info) {
  static Napi::Reference<Napi::ArrayBuffer> ref;
  if (ref.IsEmpty()) {
    // V8 owns this memory (external buffers are refused under Electron's memory cage); its
    // backing store never moves, so the pointer stays valid while the reference holds it.
    auto ab = Napi::ArrayBuffer::New(info.Env(), IO_SIZE * sizeof(double));
    io = static_cast<double*>(ab.Data());
    ref = Napi::Persistent(ab);
  }
  return Napi::Float64Array::New(info.Env(), IO_SIZE, ref.Value(), 0);
}

Napi::Value Alloc(const Napi::CallbackInfo& info) {
  int64_t bytes = info[0].As<Napi::Number>().Int64Value();
  void* p = alignedAlloc((size_t)bytes);
  if (!p) { Napi::Error::New(info.Env(), "tensorlens native: out of memory allocating " + std::to_string(bytes) + " bytes").ThrowAsJavaScriptException(); return info.Env().Undefined(); }
  return Napi::Number::New(info.Env(), fromPtr(p));
}

// releaseReusable(): the freed large blocks kept for reuse go back to the system (idle time).
Napi::Value ReleaseReusable(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), (double)releaseReusable());
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  alignedFree(toPtr(info[0].As<Napi::Number>().DoubleValue()));
  return info.Env().Undefined();
}

// adjustExternal(deltaBytes): tells V8 how much native memory JS objects hold, so that the
// collector runs (and finalizers free buffers) under native-memory pressure too.
Napi::Value AdjustExternal(const Napi::CallbackInfo& info) {
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), (int64_t)info[0].As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}

// detach(arrayBuffer): releases a heap buffer's memory now (dispose()), instead of at the next
// collection. Only for ArrayBuffers the backend made itself: views of it become empty.
Napi::Value Detach(const Napi::CallbackInfo& info) {
  auto ab = info[0].As<Napi::ArrayBuffer>();
  if (!ab.IsDetached()) ab.Detach();
  return info.Env().Undefined();
}

// upload(typedArray) -> pointer to a new aligned copy.
Napi::Value Upload(const Napi::CallbackInfo& info) {
  auto ta = info[0].As<Napi::TypedArray>();
  size_t bytes = ta.ByteLength();
  void* p = alignedAlloc(bytes);
  if (!p) { Napi::Error::New(info.Env(), "tensorlens native: out of memory").ThrowAsJavaScriptException(); return info.Env().Undefined(); }
  if (bytes) std::memcpy(p, static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), bytes);
  return Napi::Number::New(info.Env(), fromPtr(p));
}

// read(ptr, bytes) -> a new ArrayBuffer holding a copy.
Napi::Value Read(const Napi::CallbackInfo& info) {
  void* p = toPtr(info[0].As<Napi::Number>().DoubleValue());
  size_t bytes = (size_t)info[1].As<Napi::Number>().Int64Value();
  auto ab = Napi::ArrayBuffer::New(info.Env(), bytes);
  if (bytes) std::memcpy(ab.Data(), p, bytes);
  return ab;
}

// write(ptr, typedArray): copies into existing memory.
Napi::Value Write(const Napi::CallbackInfo& info) {
  void* p = toPtr(info[0].As<Napi::Number>().DoubleValue());
  auto ta = info[1].As<Napi::TypedArray>();
  if (ta.ByteLength()) std::memcpy(p, static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), ta.ByteLength());
  return info.Env().Undefined();
}

// view(ptr, bytes) -> an ArrayBuffer over native memory (no copy), or undefined where the
// runtime forbids external buffers (Electron's memory cage). The memory stays owned by the
// backend: a view must not outlive free(ptr).
Napi::Value View(const Napi::CallbackInfo& info) {
  void* p = toPtr(info[0].As<Napi::Number>().DoubleValue());
  size_t bytes = (size_t)info[1].As<Napi::Number>().Int64Value();
  napi_value ab;
  napi_status s = napi_create_external_arraybuffer(info.Env(), p, bytes, nullptr, nullptr, &ab);
  if (s != napi_ok) {
    const napi_extended_error_info* e;
    napi_get_last_error_info(info.Env(), &e);
    bool pending = false;
    napi_is_exception_pending(info.Env(), &pending);
    if (pending) { napi_value ex; napi_get_and_clear_last_exception(info.Env(), &ex); }
    return info.Env().Undefined();
  }
  return Napi::Value(info.Env(), ab);
}

Napi::Value CreateOp(const Napi::CallbackInfo& info) {
  size_t n, nb;
  const double* e = f64Data(info[0], n);
  const double* ob = f64Data(info[1], nb);
  const char* why = "expected Float64Array arguments";
  std::unique_ptr<Op> op = e && ob ? makeOp(e, n, &why) : nullptr;
  if (!op) { Napi::Error::New(info.Env(), std::string("tensorlens native: ") + why).ThrowAsJavaScriptException(); return info.Env().Undefined(); }
  op->outBytes.assign(ob, ob + nb);
  op->numOut = (int)nb;
  op->desc = op->describe();
  int id;
  if (!freeOpIds.empty()) { id = freeOpIds.back(); freeOpIds.pop_back(); ops[id] = std::move(op); }
  else { id = (int)ops.size(); ops.push_back(std::move(op)); }
  return Napi::Number::New(info.Env(), id);
}

// The crash handler may name an op after it is gone: the last op's description is copied out
// before the op (and its string) is destroyed.
char lastOpCopy[512];
void forgetOp(Op* op) {
  if (lastOp != op->desc.c_str()) return;
  std::strncpy(lastOpCopy, op->desc.c_str(), sizeof(lastOpCopy) - 1);
  lastOpCopy[sizeof(lastOpCopy) - 1] = 0;
  lastOp = lastOpCopy;
}

// labelOp(id, label): names the op for crash reports as the engine knows it (the primitive or
// fused kernel and the user's line), followed by the addon's own description.
Napi::Value LabelOp(const Napi::CallbackInfo& info) {
  int id = info[0].As<Napi::Number>().Int32Value();
  if (id >= 0 && id < (int)ops.size() && ops[id] && info[1].IsString()) {
    Op* op = ops[id].get();
    forgetOp(op);
    op->desc = info[1].As<Napi::String>().Utf8Value() + " [" + op->describe() + "]";
  }
  return info.Env().Undefined();
}

Napi::Value DestroyOp(const Napi::CallbackInfo& info) {
  int id = info[0].As<Napi::Number>().Int32Value();
  if (id >= 0 && id < (int)ops.size() && ops[id]) { forgetOp(ops[id].get()); ops[id].reset(); freeOpIds.push_back(id); }
  return info.Env().Undefined();
}

// An eager op: named for the crash handler; with the span log on, its pool threads' busy
// intervals are recorded (the count travels through the log's buffer, see pool.h).
inline void runEager(Op* op, const void* const* in, void* const* out) {
  lastOp = op->desc.c_str();
  inOp = 1;
  if (TL_UNLIKELY(spanLogOn())) {
    spanCountFromBuffer();
    op->run(in, out);
    spanCountToBuffer();
  } else {
    op->run(in, out);
  }
  inOp = 0;
}

// The op named by a call's first argument (nullptr when there is none); argv receives up to
// `want` arguments and argc how many were passed.
static Op* opOfCall(napi_env env, napi_callback_info cbi, napi_value* argv, size_t want, size_t* argc) {
  *argc = want;
  napi_get_cb_info(env, cbi, argc, argv, nullptr, nullptr);
  int32_t id = -1;
  napi_get_value_int32(env, argv[0], &id);
  return (id >= 0 && id < (int32_t)ops.size()) ? ops[id].get() : nullptr;
}

// exec(id) and execInto(id): inputs in io[0..numIn). exec allocates the outputs and writes
// their pointers to io[numIn..numIn+numOut); execInto writes into outputs that exist, their
// pointers given in io[numIn..].
napi_value execEager(napi_env env, napi_callback_info cbi, bool newOutputs) {
  size_t argc;
  napi_value argv[1];
  Op* op = opOfCall(env, cbi, argv, 1, &argc);
  if (!op) { napi_throw_error(env, nullptr, "tensorlens native: no such op"); return nullptr; }
  const void* in[64];
  void* out[8];
  const int ni = op->numIn, no = op->numOut;
  for (int i = 0; i < ni; i++) in[i] = toPtr(io[i]);
  for (int i = 0; i < no; i++) {
    if (!newOutputs) { out[i] = toPtr(io[ni + i]); continue; }
    out[i] = alignedAlloc((size_t)op->outBytes[i]);
    if (!out[i]) { for (int j = 0; j < i; j++) alignedFree(out[j]); napi_throw_error(env, nullptr, "tensorlens native: out of memory"); return nullptr; }
  }
  runEager(op, in, out);
  if (newOutputs) for (int i = 0; i < no; i++) io[ni + i] = fromPtr(out[i]);
  return nullptr;
}
napi_value Exec(napi_env env, napi_callback_info cbi) { return execEager(env, cbi, true); }
napi_value ExecInto(napi_env env, napi_callback_info cbi) { return execEager(env, cbi, false); }

// addressOf(arrayBuffer) -> the backing store's address (0 when it has none).
napi_value AddressOf(napi_env env, napi_callback_info cbi) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, cbi, &argc, argv, nullptr, nullptr);
  void* data = nullptr;
  size_t len = 0;
  napi_value r;
  if (argc < 1 || napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok) data = nullptr;
  napi_create_double(env, fromPtr(data), &r);
  return r;
}

// createProgram(enc): see engine/src/backend/native/program.ts for the layout. The program
// takes ownership of its constants' memory and of the ops its steps name.
Napi::Value CreateProgram(const Napi::CallbackInfo& info) {
  size_t n;
  const double* e = f64Data(info[0], n);
  F64Reader r(e, n);
  auto p = std::make_unique<Program>();
  p->numSlots = r.nextInt();
  p->numInputs = r.nextInt();
  int S = p->numSlots;
  p->bytes.resize(S); p->kind.resize(S); p->arenaOff.resize(S); p->ptr.resize(S);
  for (auto& v : p->bytes) v = r.nextI64();
  for (auto& v : p->kind) v = r.nextInt();
  for (auto& v : p->arenaOff) v = r.nextI64();
  for (int s = 0; s < S; s++) {
    double c = r.next();
    if (p->kind[s] == S_CONST) { p->ptr[s] = toPtr(c); p->consts.push_back(toPtr(c)); }
  }
  p->arenaBytes = r.nextI64();
  int ns = r.nextInt();
  bool ok = e != nullptr;
  for (int k = 0; k < ns && ok; k++) {
    Program::Step st;
    int id = r.nextInt();
    ok = id >= 0 && id < (int)ops.size() && ops[id];
    if (!ok) break;
    st.op = ops[id].get();
    p->opIds.push_back(id);
    int ni = r.nextInt(); st.in.resize(ni); for (auto& v : st.in) v = r.nextInt();
    int no = r.nextInt(); st.out.resize(no); for (auto& v : st.out) v = r.nextInt();
    ok = ni == st.op->numIn && no == st.op->numOut;
    p->steps.push_back(std::move(st));
  }
  int nout = r.nextInt();
  p->outputs.resize(nout);
  for (auto& v : p->outputs) v = r.nextInt();
  if (!ok || !r.atEnd() || p->numInputs + nout > (int)IO_SIZE) {
    Napi::Error::New(info.Env(), "tensorlens native: malformed program").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  if (p->arenaBytes > 0) p->arena = alignedAlloc((size_t)p->arenaBytes);
  for (int s = 0; s < S; s++) if (p->kind[s] == S_ARENA) p->ptr[s] = static_cast<char*>(p->arena) + p->arenaOff[s];
  programs.push_back(std::move(p));
  return Napi::Number::New(info.Env(), (double)(programs.size() - 1));
}

Napi::Value DestroyProgram(const Napi::CallbackInfo& info) {
  int id = info[0].As<Napi::Number>().Int32Value();
  if (id >= 0 && id < (int)programs.size() && programs[id]) {
    for (int op : programs[id]->opIds) if (ops[op]) { forgetOp(ops[op].get()); ops[op].reset(); freeOpIds.push_back(op); }
    programs[id].reset();
  }
  return info.Env().Undefined();
}

// TENSORLENS_PROFILE=1: time every program step by op kind (and shape of work) and print a
// table at exit, to stderr. A diagnostic for tuning; off by default (one getenv at load).
struct StepProfile { double ms = 0; int64_t calls = 0; };
std::map<std::string, StepProfile>* profile = nullptr;
const bool profiling = [] {
  const char* e = std::getenv("TENSORLENS_PROFILE");
  if (!e || !*e || *e == '0') return false;
  profile = new std::map<std::string, StepProfile>();
  std::atexit([] {
    std::vector<std::pair<std::string, StepProfile>> v(profile->begin(), profile->end());
    std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second.ms > b.second.ms; });
    double total = 0;
    for (auto& kv : v) total += kv.second.ms;
    std::fprintf(stderr, "tensorlens profile: %.1f ms in program steps\n", total);
    for (size_t i = 0; i < v.size() && i < 40; i++)
      std::fprintf(stderr, "%10.2f ms %5.1f%% %8lld calls  %s\n", v[i].second.ms, 100 * v[i].second.ms / total, (long long)v[i].second.calls, v[i].first.c_str());
  });
  return true;
}();

// Where each of a program's outputs goes (runProgram's `outs`): the address the caller gave
// (a heap buffer it made), or null for a new native block.
void outputAddresses(napi_env env, napi_value outs, size_t nout, void** given) {
  bool isArray = false;
  if (outs) napi_is_array(env, outs, &isArray);
  for (size_t k = 0; k < nout; k++) {
    given[k] = nullptr;
    if (!isArray) continue;
    napi_value v;
    napi_valuetype type;
    if (napi_get_element(env, outs, (uint32_t)k, &v) != napi_ok || napi_typeof(env, v, &type) != napi_ok || type != napi_number) continue;
    double addr = 0;
    napi_get_value_double(env, v, &addr);
    given[k] = toPtr(addr);
  }
}

// Runs the steps in order. Timing (the profiler's setStepTiming, or TENSORLENS_PROFILE) is one
// predictable branch per step when off.
void runSteps(Program* p) {
  double* times = stepTimes;
  const bool timed = times != nullptr || profiling;
  if (times) { times[0] = (double)std::min<int64_t>((int64_t)p->steps.size(), stepCap); spanCountFromBuffer(); }
  inOp = 1;
  int64_t si = 0;
  for (auto& st : p->steps) {
    const void* in[64];
    void* out[8];
    for (size_t k = 0; k < st.in.size(); k++) in[k] = p->ptr[st.in[k]];
    for (size_t k = 0; k < st.out.size(); k++) out[k] = p->ptr[st.out[k]];
    lastOp = st.op->desc.c_str();
    if (TL_UNLIKELY(timed)) {
      double t0 = steadyMs();
      st.op->run(in, out);
      double t1 = steadyMs();
      if (times && si < stepCap) { times[1 + 2 * si] = t0; times[2 + 2 * si] = t1; }
      if (profiling) {
        auto& e = (*profile)[st.op->describe()];
        e.ms += t1 - t0;
        e.calls++;
      }
    } else {
      st.op->run(in, out);
    }
    si++;
  }
  inOp = 0;
  if (times) spanCountToBuffer();
}

// runProgram(id, outs?): inputs in io[0..numInputs); outputs (new buffers) in
// io[0..numOutputs). `outs`, when given, is an array with one entry per output: an
// ArrayBuffer (a JavaScript-heap buffer the caller created, large enough) to write that output
// into, or undefined for a new native block. The caller keeps the ArrayBuffers referenced.
napi_value RunProgram(napi_env env, napi_callback_info cbi) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, cbi, &argc, argv, nullptr, nullptr);
  int32_t id = -1;
  napi_get_value_int32(env, argv[0], &id);
  Program* p = (id >= 0 && id < (int32_t)programs.size()) ? programs[id].get() : nullptr;
  if (!p) { napi_throw_error(env, nullptr, "tensorlens native: no such program"); return nullptr; }
  const size_t nout = p->outputs.size();
  void* given[IO_SIZE];
  outputAddresses(env, argc >= 2 ? argv[1] : nullptr, nout, given);
  for (int s = 0; s < p->numInputs; s++) p->ptr[s] = toPtr(io[s]);
  // A fresh slot is written in place into its first output's memory.
  for (int s = 0; s < p->numSlots; s++) if (p->kind[s] == S_FRESH) p->ptr[s] = nullptr;
  for (size_t k = 0; k < nout; k++) {
    int s = p->outputs[k];
    if (p->kind[s] == S_FRESH && !p->ptr[s]) p->ptr[s] = given[k] ? given[k] : alignedAlloc((size_t)p->bytes[s]);
  }
  runSteps(p);
  // Outputs are new buffers owned by the caller: a slot that is an input or a constant, or
  // appears twice, is copied.
  for (size_t k = 0; k < nout; k++) {
    int s = p->outputs[k];
    bool first = p->kind[s] == S_FRESH;
    for (size_t j = 0; j < k && first; j++) if (p->outputs[j] == s) first = false;
    void* o = p->ptr[s];
    if (!first) {
      o = given[k] ? given[k] : alignedAlloc((size_t)p->bytes[s]);
      // A donated input returned unchanged is given its own address: nothing to copy.
      if (o != p->ptr[s]) std::memcpy(o, p->ptr[s], (size_t)p->bytes[s]);
    }
    io[k] = fromPtr(o);
  }
  return nullptr;
}

// setStepTiming(steps: Float64Array | null, spans?: Float64Array | null) -> steady_clock now
// in ms (the JavaScript side pairs it with performance.now() to convert). With `steps`, each
// runProgram writes its steps' start and end there (layout at stepTimes); with `spans`, the
// thread pool logs its threads' busy intervals there (layout in pool.h). null turns both off.
// The caller keeps the arrays alive; they are referenced here too, until the next call.
Napi::Value SetStepTiming(const Napi::CallbackInfo& info) {
  static Napi::Reference<Napi::Float64Array> stepRef, spanRef;
  auto take = [&](size_t i, Napi::Reference<Napi::Float64Array>& ref, int64_t& len) -> double* {
    ref.Reset();
    len = 0;
    if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) return nullptr;
    auto f = info[i].As<Napi::Float64Array>();
    if (f.ElementLength() < 4) return nullptr;
    ref = Napi::Persistent(f);
    len = (int64_t)f.ElementLength();
    return f.Data();
  };
  int64_t n = 0, m = 0;
  double* st = take(0, stepRef, n);
  double* sp = take(1, spanRef, m);
  stepCap = st ? (n - 1) / 2 : 0;
  stepTimes = st;
  if (sp) sp[0] = 0;
  setSpanLog(sp, sp ? (m - 1) / 3 : 0);
  return Napi::Number::New(info.Env(), steadyMs());
}

// steadyMs() -> the native clock now (ms), for calibrating against performance.now().
Napi::Value SteadyMs(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), steadyMs()); }

// ---- crash reporting -------------------------------------------------------------------------
// A fatal signal names the op that started last, in one line on stderr that the runner
// parses: "tensorlens: native crash (SIGSEGV) in op: <description>". Faults the process
// expects to recover from are not ours: V8 turns out-of-bounds WebAssembly accesses into
// exceptions through its own SIGSEGV handler, so a kernel-raised fault outside our ops goes to
// the handler that was there before.
const char* signalName(int sig) {
  if (sig == SIGSEGV) return "SIGSEGV";
#if defined(SIGBUS)
  if (sig == SIGBUS) return "SIGBUS";
#endif
  return sig == SIGFPE ? "SIGFPE" : "SIGILL";
}

// Formats the crash line into `line` without allocating (a signal handler may not); returns
// its length.
size_t crashLine(int sig, char (&line)[600]) {
  const char* op = lastOp ? lastOp : "(none)";
  size_t n = 0;
  auto put = [&](const char* s) { while (*s && n < sizeof(line) - 2) line[n++] = *s++; };
  put("tensorlens: native crash (");
  put(signalName(sig));
  put(") in op: ");
  put(op);
  line[n++] = '\n';
  return n;
}

#if !defined(_WIN32)
const int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
struct sigaction prevCrashAction[4];

int crashIndex(int sig) {
  for (int i = 0; i < 4; i++) if (kCrashSignals[i] == sig) return i;
  return -1;
}

void CrashHandler(int sig, siginfo_t* info, void* uctx) {
  int idx = crashIndex(sig);
  if (idx < 0) return;
  const struct sigaction& prev = prevCrashAction[idx];
  bool fromKernel = info != nullptr && info->si_code > 0;
  bool prevIsHandler = (prev.sa_flags & SA_SIGINFO) ? prev.sa_sigaction != nullptr
                                                   : (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN && prev.sa_handler != nullptr);
  if (!inOp && fromKernel && prevIsHandler) {
    if (prev.sa_flags & SA_SIGINFO) prev.sa_sigaction(sig, info, uctx);
    else prev.sa_handler(sig);
    return;
  }
  char line[600];
  size_t n = crashLine(sig, line);
  ssize_t w = write(2, line, n);
  (void)w;
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  raise(sig);
}

void installCrashHandler() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = CrashHandler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 4; i++) sigaction(kCrashSignals[i], &sa, &prevCrashAction[i]);
}
#else
// Windows: the C runtime's signals (no SIGBUS, no siginfo). A fault V8 handles itself never
// reaches them (it uses vectored exception handlers), so every one here is fatal.
const int kCrashSignals[] = {SIGSEGV, SIGFPE, SIGILL};

void CrashHandler(int sig) {
  char line[600];
  size_t n = crashLine(sig, line);
  (void)_write(2, line, (unsigned)n);
  signal(sig, SIG_DFL);
  raise(sig);
}

void installCrashHandler() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  for (int s : kCrashSignals) signal(s, CrashHandler);
}
#endif

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  setNumThreads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), numThreads());
}

Napi::Value LiveBytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), (double)liveBytes()); }

napi_value Noop(napi_env, napi_callback_info) { return nullptr; }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("io", Napi::Function::New(env, Io));
  exports.Set("alloc", Napi::Function::New(env, Alloc));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("releaseReusable", Napi::Function::New(env, ReleaseReusable));
  exports.Set("adjustExternal", Napi::Function::New(env, AdjustExternal));
  exports.Set("detach", Napi::Function::New(env, Detach));
  exports.Set("upload", Napi::Function::New(env, Upload));
  exports.Set("read", Napi::Function::New(env, Read));
  exports.Set("write", Napi::Function::New(env, Write));
  exports.Set("view", Napi::Function::New(env, View));
  exports.Set("createOp", Napi::Function::New(env, CreateOp));
  exports.Set("destroyOp", Napi::Function::New(env, DestroyOp));
  exports.Set("createProgram", Napi::Function::New(env, CreateProgram));
  exports.Set("destroyProgram", Napi::Function::New(env, DestroyProgram));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("liveBytes", Napi::Function::New(env, LiveBytes));
  exports.Set("setStepTiming", Napi::Function::New(env, SetStepTiming));
  exports.Set("steadyMs", Napi::Function::New(env, SteadyMs));
  exports.Set("labelOp", Napi::Function::New(env, LabelOp));
  installCrashHandler();
  napi_value f;
  napi_create_function(env, "exec", NAPI_AUTO_LENGTH, Exec, nullptr, &f);
  exports.Set("exec", f);
  napi_create_function(env, "execInto", NAPI_AUTO_LENGTH, ExecInto, nullptr, &f);
  exports.Set("execInto", f);
  napi_create_function(env, "addressOf", NAPI_AUTO_LENGTH, AddressOf, nullptr, &f);
  exports.Set("addressOf", f);
  napi_create_function(env, "runProgram", NAPI_AUTO_LENGTH, RunProgram, nullptr, &f);
  exports.Set("runProgram", f);
  napi_create_function(env, "noop", NAPI_AUTO_LENGTH, Noop, nullptr, &f);
  exports.Set("noop", f);
  return exports;
}

}  // namespace

NODE_API_MODULE(tensorlens, Init)
