// Core: reading and compiling models (sync and Promise forms), devices and properties.
#include "wrappers.hpp"

namespace {
struct ReadArgs {
  std::string path, weights;            // from files
  std::string buffer;                    // or model bytes (xml / onnx) …
  ov::Tensor weightTensor;               // … with weights bytes
  bool fromBuffer = false;
};

ReadArgs readArgsFromJs(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  ReadArgs a;
  if (info.Length() < 1) throwJs(env, "readModel(modelPath, weightsPath?)");
  if (info[0].IsString()) {
    a.path = info[0].As<Napi::String>().Utf8Value();
    if (info.Length() > 1 && info[1].IsString()) a.weights = info[1].As<Napi::String>().Utf8Value();
    else if (info.Length() > 1 && info[1].IsObject() && info[1].As<Napi::Object>().InstanceOf(addonData(env).tensor.Value())) {
      a.fromBuffer = true;
      a.buffer = a.path;  // model text given as a string with a weights Tensor
      a.weightTensor = TensorWrap::Unwrap(info[1].As<Napi::Object>())->tensor;
    }
    return a;
  }
  if (info[0].IsTypedArray()) {
    auto m = info[0].As<Napi::TypedArray>();
    a.fromBuffer = true;
    a.buffer.assign(static_cast<const char*>(m.ArrayBuffer().Data()) + m.ByteOffset(), m.ByteLength());
    if (info.Length() > 1 && info[1].IsTypedArray()) {
      auto w = info[1].As<Napi::TypedArray>();
      a.weightTensor = ov::Tensor(ov::element::u8, {w.ByteLength()});
      std::memcpy(a.weightTensor.data(), static_cast<const char*>(w.ArrayBuffer().Data()) + w.ByteOffset(), w.ByteLength());
    }
    return a;
  }
  throwJs(env, "readModel: the model must be a path or a Uint8Array");
}

std::shared_ptr<ov::Model> doRead(ov::Core& core, const ReadArgs& a) {
  if (a.fromBuffer) return core.read_model(a.buffer, a.weightTensor);
  return core.read_model(a.path, a.weights);
}

class ReadWorker : public Napi::AsyncWorker {
 public:
  ReadWorker(Napi::Env env, std::shared_ptr<ov::Core> core, ReadArgs args)
      : Napi::AsyncWorker(env, "ovReadModel"), deferred(Napi::Promise::Deferred::New(env)), core(std::move(core)), args(std::move(args)) {}
  Napi::Promise::Deferred deferred;
  void Execute() override {
    try { model = doRead(*core, args); } catch (const std::exception& e) { SetError(e.what()); }
  }
  void OnOK() override { deferred.Resolve(ModelWrap::Wrap(Env(), model)); }
  void OnError(const Napi::Error& e) override { deferred.Reject(e.Value()); }

 private:
  std::shared_ptr<ov::Core> core;
  ReadArgs args;
  std::shared_ptr<ov::Model> model;
};

struct CompileArgs {
  std::shared_ptr<ov::Model> model;
  std::string path, device;
  ov::AnyMap config;
};

CompileArgs compileArgsFromJs(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (info.Length() < 2 || !info[1].IsString()) throwJs(env, "compileModel(model | modelPath, deviceName, config?)");
  CompileArgs a;
  if (info[0].IsString()) a.path = info[0].As<Napi::String>().Utf8Value();
  else if (info[0].IsObject() && info[0].As<Napi::Object>().InstanceOf(addonData(env).model.Value())) a.model = ModelWrap::Unwrap(info[0].As<Napi::Object>())->model;
  else throwJs(env, "compileModel: the first argument must be a Model or a path");
  a.device = info[1].As<Napi::String>().Utf8Value();
  if (info.Length() > 2) a.config = anyMapFromJs(info[2]);
  return a;
}

ov::CompiledModel doCompile(ov::Core& core, const CompileArgs& a) {
  if (a.model) return core.compile_model(a.model, a.device, a.config);
  return core.compile_model(a.path, a.device, a.config);
}

class CompileWorker : public Napi::AsyncWorker {
 public:
  CompileWorker(Napi::Env env, std::shared_ptr<ov::Core> core, CompileArgs args)
      : Napi::AsyncWorker(env, "ovCompileModel"), deferred(Napi::Promise::Deferred::New(env)), core(std::move(core)), args(std::move(args)) {}
  Napi::Promise::Deferred deferred;
  void Execute() override {
    try { compiled = doCompile(*core, args); } catch (const std::exception& e) { SetError(e.what()); }
  }
  void OnOK() override { deferred.Resolve(CompiledModelWrap::Wrap(Env(), compiled)); }
  void OnError(const Napi::Error& e) override { deferred.Reject(e.Value()); }

 private:
  std::shared_ptr<ov::Core> core;
  CompileArgs args;
  ov::CompiledModel compiled;
};
}  // namespace

Napi::Function CoreWrap::Init(Napi::Env env) {
  return DefineClass(env, "Core",
                     {InstanceMethod<&CoreWrap::ReadModelSync>("readModelSync"), InstanceMethod<&CoreWrap::ReadModel>("readModel"),
                      InstanceMethod<&CoreWrap::CompileModelSync>("compileModelSync"), InstanceMethod<&CoreWrap::CompileModel>("compileModel"),
                      InstanceMethod<&CoreWrap::GetAvailableDevices>("getAvailableDevices"),
                      InstanceMethod<&CoreWrap::GetProperty>("getProperty"), InstanceMethod<&CoreWrap::SetProperty>("setProperty"),
                      InstanceMethod<&CoreWrap::GetVersions>("getVersions"), InstanceMethod<&CoreWrap::QueryModel>("queryModel")});
}

CoreWrap::CoreWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CoreWrap>(info) {
  guarded(info.Env(), [&] { core = std::make_shared<ov::Core>(); return 0; });
}

Napi::Value CoreWrap::ReadModelSync(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return ModelWrap::Wrap(info.Env(), doRead(*core, readArgsFromJs(info))); });
}
Napi::Value CoreWrap::ReadModel(const Napi::CallbackInfo& info) {
  auto* w = new ReadWorker(info.Env(), core, guarded(info.Env(), [&] { return readArgsFromJs(info); }));
  auto p = w->deferred.Promise();
  w->Queue();
  return p;
}
Napi::Value CoreWrap::CompileModelSync(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return CompiledModelWrap::Wrap(info.Env(), doCompile(*core, compileArgsFromJs(info))); });
}
Napi::Value CoreWrap::CompileModel(const Napi::CallbackInfo& info) {
  auto* w = new CompileWorker(info.Env(), core, guarded(info.Env(), [&] { return compileArgsFromJs(info); }));
  auto p = w->deferred.Promise();
  w->Queue();
  return p;
}
Napi::Value CoreWrap::GetAvailableDevices(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    auto d = core->get_available_devices();
    auto a = Napi::Array::New(info.Env(), d.size());
    for (size_t i = 0; i < d.size(); i++) a.Set(static_cast<uint32_t>(i), d[i]);
    return a;
  });
}
Napi::Value CoreWrap::GetProperty(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guarded(env, [&] {
    if (info.Length() >= 2) return anyToJs(env, core->get_property(info[0].ToString().Utf8Value(), info[1].ToString().Utf8Value()));
    if (info.Length() == 1) return anyToJs(env, core->get_property("", info[0].ToString().Utf8Value()));
    throwJs(env, "getProperty(deviceName?, propertyName)");
  });
}
void CoreWrap::SetProperty(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  guarded(env, [&] {
    if (info.Length() >= 2 && info[0].IsString()) core->set_property(info[0].As<Napi::String>().Utf8Value(), anyMapFromJs(info[1]));
    else if (info.Length() == 1) core->set_property(anyMapFromJs(info[0]));
    else throwJs(env, "setProperty(deviceName?, properties)");
    return 0;
  });
}
Napi::Value CoreWrap::GetVersions(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guarded(env, [&] {
    auto o = Napi::Object::New(env);
    for (auto& [dev, v] : core->get_versions(info[0].ToString().Utf8Value())) {
      auto vo = Napi::Object::New(env);
      vo.Set("buildNumber", v.buildNumber);
      vo.Set("description", v.description);
      o.Set(dev, vo);
    }
    return o;
  });
}
Napi::Value CoreWrap::QueryModel(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guarded(env, [&] {
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsString()) throwJs(env, "queryModel(model, deviceName, properties?)");
    auto m = ModelWrap::Unwrap(info[0].As<Napi::Object>())->model;
    auto r = core->query_model(m, info[1].As<Napi::String>().Utf8Value(), info.Length() > 2 ? anyMapFromJs(info[2]) : ov::AnyMap{});
    auto o = Napi::Object::New(env);
    for (auto& [k, v] : r) o.Set(k, v);
    return o;
  });
}
