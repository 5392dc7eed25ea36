// InferRequest: binds inputs, runs inference (sync or on a worker thread), hands out tensors.
#include "wrappers.hpp"

namespace {
class InferWorker : public Napi::AsyncWorker {
 public:
  InferWorker(Napi::Env env, InferRequestWrap* w, Napi::Object self)
      : Napi::AsyncWorker(env, "ovInferAsync"), deferred(Napi::Promise::Deferred::New(env)), wrap(w), selfRef(Napi::Persistent(self)) {}
  Napi::Promise::Deferred deferred;
  void Execute() override {
    try { wrap->request.infer(); } catch (const std::exception& e) { SetError(e.what()); }
  }
  void OnOK() override { deferred.Resolve(InferRequestWrap::OutputsToJs(Env(), wrap->request)); }
  void OnError(const Napi::Error& e) override { deferred.Reject(e.Value()); }

 private:
  InferRequestWrap* wrap;
  Napi::ObjectReference selfRef;  // keeps the request (and its bound inputs) alive while it runs
};
}  // namespace

Napi::Function InferRequestWrap::Init(Napi::Env env) {
  return DefineClass(env, "InferRequest",
                     {InstanceMethod<&InferRequestWrap::Infer>("infer"), InstanceMethod<&InferRequestWrap::InferAsync>("inferAsync"),
                      InstanceMethod<&InferRequestWrap::GetCompiledModel>("getCompiledModel"),
                      InstanceMethod<&InferRequestWrap::GetTensor>("getTensor"),
                      InstanceMethod<&InferRequestWrap::GetInputTensor>("getInputTensor"),
                      InstanceMethod<&InferRequestWrap::GetOutputTensor>("getOutputTensor"),
                      InstanceMethod<&InferRequestWrap::SetTensor>("setTensor"),
                      InstanceMethod<&InferRequestWrap::SetInputTensor>("setInputTensor"),
                      InstanceMethod<&InferRequestWrap::SetOutputTensor>("setOutputTensor"),
                      InstanceMethod<&InferRequestWrap::GetProfilingInfo>("getProfilingInfo")});
}
InferRequestWrap::InferRequestWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<InferRequestWrap>(info) {}
Napi::Object InferRequestWrap::Wrap(Napi::Env env, const ov::InferRequest& r, Napi::Object compiledJs) {
  auto obj = addonData(env).inferRequest.New({});
  auto* w = Unwrap(obj);
  w->request = r;
  if (!compiledJs.IsEmpty()) w->compiledJs = Napi::Persistent(compiledJs);
  return obj;
}

void InferRequestWrap::SetInputs(Napi::Env env, ov::InferRequest& r, const Napi::Value& inputs, std::vector<Napi::Reference<Napi::Value>>& keep) {
  auto ports = r.get_compiled_model().inputs();
  keep.clear();
  if (inputs.IsArray()) {
    auto a = inputs.As<Napi::Array>();
    if (a.Length() > ports.size()) throwJs(env, "got " + std::to_string(a.Length()) + " inputs, the model has " + std::to_string(ports.size()));
    for (uint32_t i = 0; i < a.Length(); i++) {
      keep.emplace_back();
      r.set_tensor(ports[i], TensorWrap::FromJs(env, a.Get(i), ports[i], &keep.back()));
    }
    return;
  }
  if (!inputs.IsObject()) throwJs(env, "inputs must be an object {name: Tensor} or an array of Tensors");
  auto o = inputs.As<Napi::Object>();
  auto keys = o.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string name = keys.Get(i).ToString().Utf8Value();
    const ov::Output<const ov::Node>* port = nullptr;
    for (auto& p : ports)
      if (p.get_names().count(name)) port = &p;
    if (!port) throwJs(env, "the model has no input named '" + name + "'");
    keep.emplace_back();
    r.set_tensor(*port, TensorWrap::FromJs(env, o.Get(name), *port, &keep.back()));
  }
}

Napi::Object InferRequestWrap::OutputsToJs(Napi::Env env, ov::InferRequest& r) {
  auto o = Napi::Object::New(env);
  for (auto& p : r.get_compiled_model().outputs()) o.Set(p.get_any_name(), TensorWrap::Wrap(env, r.get_tensor(p)));
  return o;
}

Napi::Value InferRequestWrap::Infer(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guarded(env, [&] {
    if (info.Length() > 0 && !info[0].IsUndefined()) SetInputs(env, request, info[0], keep);
    request.infer();
    return OutputsToJs(env, request);
  });
}
Napi::Value InferRequestWrap::InferAsync(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  guarded(env, [&] {
    if (info.Length() > 0 && !info[0].IsUndefined()) SetInputs(env, request, info[0], keep);
    return 0;
  });
  auto* w = new InferWorker(env, this, info.This().As<Napi::Object>());
  auto p = w->deferred.Promise();
  w->Queue();
  return p;
}
Napi::Value InferRequestWrap::GetCompiledModel(const Napi::CallbackInfo& info) {
  if (!compiledJs.IsEmpty()) return compiledJs.Value();
  return CompiledModelWrap::Wrap(info.Env(), request.get_compiled_model());
}
Napi::Value InferRequestWrap::GetTensor(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guarded(env, [&] {
    if (info[0].IsString()) return TensorWrap::Wrap(env, request.get_tensor(info[0].As<Napi::String>().Utf8Value()));
    return TensorWrap::Wrap(env, request.get_tensor(OutputWrap::Unwrap(info[0].As<Napi::Object>())->port));
  });
}
Napi::Value InferRequestWrap::GetInputTensor(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    return TensorWrap::Wrap(info.Env(), info.Length() > 0 ? request.get_input_tensor(info[0].As<Napi::Number>().Uint32Value()) : request.get_input_tensor());
  });
}
Napi::Value InferRequestWrap::GetOutputTensor(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    return TensorWrap::Wrap(info.Env(), info.Length() > 0 && !info[0].IsUndefined() ? request.get_output_tensor(info[0].As<Napi::Number>().Uint32Value()) : request.get_output_tensor());
  });
}
void InferRequestWrap::SetTensor(const Napi::CallbackInfo& info) {
  guarded(info.Env(), [&] {
    keep.emplace_back(Napi::Persistent(info[1]));
    request.set_tensor(info[0].ToString().Utf8Value(), TensorWrap::Unwrap(info[1].As<Napi::Object>())->tensor);
    return 0;
  });
}
void InferRequestWrap::SetInputTensor(const Napi::CallbackInfo& info) {
  guarded(info.Env(), [&] {
    Napi::Value t = info.Length() > 1 ? info[1] : info[0];
    keep.emplace_back(Napi::Persistent(t));
    auto& tensor = TensorWrap::Unwrap(t.As<Napi::Object>())->tensor;
    if (info.Length() > 1) request.set_input_tensor(info[0].As<Napi::Number>().Uint32Value(), tensor);
    else request.set_input_tensor(tensor);
    return 0;
  });
}
void InferRequestWrap::SetOutputTensor(const Napi::CallbackInfo& info) {
  guarded(info.Env(), [&] {
    Napi::Value t = info.Length() > 1 ? info[1] : info[0];
    keep.emplace_back(Napi::Persistent(t));
    auto& tensor = TensorWrap::Unwrap(t.As<Napi::Object>())->tensor;
    if (info.Length() > 1) request.set_output_tensor(info[0].As<Napi::Number>().Uint32Value(), tensor);
    else request.set_output_tensor(tensor);
    return 0;
  });
}
/** Per-node timings of the last inference (needs PERF_COUNT: true at compile time). Not in the official typings. */
Napi::Value InferRequestWrap::GetProfilingInfo(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guarded(env, [&] {
    auto prof = request.get_profiling_info();
    auto a = Napi::Array::New(env, prof.size());
    for (size_t i = 0; i < prof.size(); i++) {
      auto o = Napi::Object::New(env);
      o.Set("nodeName", prof[i].node_name);
      o.Set("nodeType", prof[i].node_type);
      o.Set("execType", prof[i].exec_type);
      o.Set("realTimeUs", static_cast<double>(prof[i].real_time.count()));
      o.Set("cpuTimeUs", static_cast<double>(prof[i].cpu_time.count()));
      o.Set("status", prof[i].status == ov::ProfilingInfo::Status::EXECUTED ? "EXECUTED" : prof[i].status == ov::ProfilingInfo::Status::OPTIMIZED_OUT ? "OPTIMIZED_OUT" : "NOT_RUN");
      a.Set(static_cast<uint32_t>(i), o);
    }
    return a;
  });
}
