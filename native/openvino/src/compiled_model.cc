// CompiledModel: an ov::CompiledModel (ports, properties, infer requests, export).
#include "wrappers.hpp"

#include <sstream>

namespace {
template <typename Ports>
Napi::Array portsToJs(Napi::Env env, const Ports& ports, std::shared_ptr<const void> owner) {
  auto a = Napi::Array::New(env, ports.size());
  for (size_t i = 0; i < ports.size(); i++) a.Set(static_cast<uint32_t>(i), OutputWrap::Wrap(env, ports[i], owner));
  return a;
}
template <typename Ports>
ov::Output<const ov::Node> pick(const Napi::CallbackInfo& info, const Ports& ports, const char* what) {
  auto env = info.Env();
  if (info.Length() == 0 || info[0].IsUndefined()) {
    if (ports.size() != 1) throwJs(env, std::string("the model has ") + std::to_string(ports.size()) + " " + what + "s: give an index or a name");
    return ports[0];
  }
  if (info[0].IsNumber()) {
    int64_t i = info[0].As<Napi::Number>().Int64Value();
    if (i < 0 || static_cast<size_t>(i) >= ports.size()) throwJs(env, std::string(what) + " index " + std::to_string(i) + " out of range");
    return ports[i];
  }
  std::string name = info[0].ToString().Utf8Value();
  for (auto& p : ports)
    if (p.get_names().count(name)) return p;
  throwJs(env, std::string("no ") + what + " named '" + name + "'");
}
}  // namespace

Napi::Function CompiledModelWrap::Init(Napi::Env env) {
  return DefineClass(env, "CompiledModel",
                     {InstanceAccessor<&CompiledModelWrap::Inputs>("inputs"), InstanceAccessor<&CompiledModelWrap::Outputs>("outputs"),
                      InstanceMethod<&CompiledModelWrap::Input>("input"), InstanceMethod<&CompiledModelWrap::Output>("output"),
                      InstanceMethod<&CompiledModelWrap::CreateInferRequest>("createInferRequest"),
                      InstanceMethod<&CompiledModelWrap::GetProperty>("getProperty"),
                      InstanceMethod<&CompiledModelWrap::SetProperty>("setProperty"),
                      InstanceMethod<&CompiledModelWrap::ExportModelSync>("exportModelSync")});
}
CompiledModelWrap::CompiledModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CompiledModelWrap>(info) {}
Napi::Object CompiledModelWrap::Wrap(Napi::Env env, const ov::CompiledModel& cm) {
  auto obj = addonData(env).compiledModel.New({});
  Unwrap(obj)->compiled = std::make_shared<ov::CompiledModel>(cm);
  return obj;
}
Napi::Value CompiledModelWrap::Inputs(const Napi::CallbackInfo& info) { return portsToJs(info.Env(), compiled->inputs(), compiled); }
Napi::Value CompiledModelWrap::Outputs(const Napi::CallbackInfo& info) { return portsToJs(info.Env(), compiled->outputs(), compiled); }
Napi::Value CompiledModelWrap::Input(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return OutputWrap::Wrap(info.Env(), pick(info, compiled->inputs(), "input"), compiled); });
}
Napi::Value CompiledModelWrap::Output(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return OutputWrap::Wrap(info.Env(), pick(info, compiled->outputs(), "output"), compiled); });
}
Napi::Value CompiledModelWrap::CreateInferRequest(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return InferRequestWrap::Wrap(info.Env(), compiled->create_infer_request(), info.This().As<Napi::Object>()); });
}
Napi::Value CompiledModelWrap::GetProperty(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return anyToJs(info.Env(), compiled->get_property(info[0].ToString().Utf8Value())); });
}
void CompiledModelWrap::SetProperty(const Napi::CallbackInfo& info) {
  guarded(info.Env(), [&] { compiled->set_property(anyMapFromJs(info[0])); return 0; });
}
Napi::Value CompiledModelWrap::ExportModelSync(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    std::ostringstream s;
    compiled->export_model(s);
    std::string b = s.str();
    return Napi::Buffer<char>::Copy(info.Env(), b.data(), b.size());
  });
}
