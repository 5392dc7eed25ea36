// Module entry: the openvino-node export surface (Core, Model, Tensor, …, saveModelSync,
// getOpenvinoVersion, element) over the OpenVINO C++ runtime.
#include "wrappers.hpp"

AddonData& addonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

namespace {
Napi::Value SaveModelSync(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsString()) throwJs(env, "saveModelSync(model, path, compressToFp16?)");
  auto* m = ModelWrap::Unwrap(info[0].As<Napi::Object>());
  std::string path = info[1].As<Napi::String>().Utf8Value();
  bool fp16 = info.Length() > 2 && info[2].ToBoolean().Value();
  guarded(env, [&] { ov::save_model(m->model, path, fp16); return 0; });
  return env.Undefined();
}

Napi::Value GetOpenvinoVersion(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  const ov::Version& v = ov::get_openvino_version();
  auto o = Napi::Object::New(env);
  o.Set("buildNumber", v.buildNumber);
  o.Set("description", v.description);
  return o;
}

Napi::Object MakeEnum(Napi::Env env, const std::vector<std::string>& names) {
  auto o = Napi::Object::New(env);
  for (size_t i = 0; i < names.size(); i++) {
    o.Set(names[i], Napi::Number::New(env, static_cast<double>(i)));
    o.Set(Napi::Number::New(env, static_cast<double>(i)), names[i]);
  }
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData(data);
  auto def = [&](const char* name, Napi::Function f, Napi::FunctionReference* ref) {
    if (ref) *ref = Napi::Persistent(f);
    exports.Set(name, f);
  };
  def("Core", CoreWrap::Init(env), nullptr);
  def("Model", ModelWrap::Init(env), &data->model);
  def("CompiledModel", CompiledModelWrap::Init(env), &data->compiledModel);
  def("Tensor", TensorWrap::Init(env), &data->tensor);
  def("InferRequest", InferRequestWrap::Init(env), &data->inferRequest);
  def("Output", OutputWrap::Init(env), &data->output);
  def("PartialShape", PartialShapeWrap::Init(env), &data->partialShape);
  def("AsyncInferQueue", AsyncInferQueueWrap::Init(env), nullptr);
  exports.Set("saveModelSync", Napi::Function::New(env, SaveModelSync, "saveModelSync"));
  exports.Set("getOpenvinoVersion", Napi::Function::New(env, GetOpenvinoVersion, "getOpenvinoVersion"));
  exports.Set("element", MakeEnum(env, {"u8", "u32", "u16", "u64", "i8", "i16", "i32", "i64", "f32", "f64", "string"}));
  auto resize = MakeEnum(env, {"RESIZE_NEAREST", "RESIZE_CUBIC", "RESIZE_LINEAR"});
  exports.Set("resizeAlgorithm", resize);
  // Which build this is: `darknet-pruner env` reports it (the official addon has no such field).
  exports.Set("darknetPrunerBuild", Napi::String::New(env, "native/openvino (built by scripts/setup-openvino.sh)"));
  return exports;
}
}  // namespace

NODE_API_MODULE(ov_node_addon, Init)
