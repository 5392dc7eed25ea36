// Model (an ov::Model), its ports (Output) and PartialShape.
#include "wrappers.hpp"

#include <sstream>

// ---- PartialShape ----
Napi::Function PartialShapeWrap::Init(Napi::Env env) {
  return DefineClass(env, "PartialShape",
                     {InstanceMethod<&PartialShapeWrap::IsStatic>("isStatic"),
                      InstanceMethod<&PartialShapeWrap::IsDynamic>("isDynamic"),
                      InstanceMethod<&PartialShapeWrap::ToString>("toString"),
                      InstanceMethod<&PartialShapeWrap::GetDimensions>("getDimensions")});
}
PartialShapeWrap::PartialShapeWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PartialShapeWrap>(info) {
  if (info.Length() > 0 && info[0].IsString())
    guarded(info.Env(), [&] { shape = ov::PartialShape(info[0].As<Napi::String>().Utf8Value()); return 0; });
}
Napi::Object PartialShapeWrap::Wrap(Napi::Env env, const ov::PartialShape& s) {
  auto obj = addonData(env).partialShape.New({});
  Unwrap(obj)->shape = s;
  return obj;
}
Napi::Value PartialShapeWrap::IsStatic(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), shape.is_static()); }
Napi::Value PartialShapeWrap::IsDynamic(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), shape.is_dynamic()); }
Napi::Value PartialShapeWrap::ToString(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), shape.to_string()); }
Napi::Value PartialShapeWrap::GetDimensions(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto a = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); i++) {
    const auto& d = shape[i];
    if (d.is_static()) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(d.get_length())));
    else {
      auto r = Napi::Array::New(env, 2);
      r.Set(0u, Napi::Number::New(env, static_cast<double>(d.get_min_length())));
      r.Set(1u, Napi::Number::New(env, d.get_max_length() < 0 ? -1 : static_cast<double>(d.get_max_length())));
      a.Set(static_cast<uint32_t>(i), r);
    }
  }
  return a;
}

// ---- Output ----
Napi::Function OutputWrap::Init(Napi::Env env) {
  return DefineClass(env, "Output",
                     {InstanceAccessor<&OutputWrap::AnyName>("anyName"),
                      InstanceAccessor<&OutputWrap::Shape>("shape"),
                      InstanceMethod<&OutputWrap::AnyName>("getAnyName"),
                      InstanceMethod<&OutputWrap::AnyName>("toString"),
                      InstanceMethod<&OutputWrap::Shape>("getShape"),
                      InstanceMethod<&OutputWrap::PartialShape>("getPartialShape")});
}
OutputWrap::OutputWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<OutputWrap>(info) {}
Napi::Object OutputWrap::Wrap(Napi::Env env, const ov::Output<const ov::Node>& o, std::shared_ptr<const void> owner) {
  auto obj = addonData(env).output.New({});
  auto* w = Unwrap(obj);
  w->port = o;
  w->owner = std::move(owner);
  return obj;
}
Napi::Value OutputWrap::AnyName(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return Napi::String::New(info.Env(), port.get_any_name()); });
}
Napi::Value OutputWrap::Shape(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return shapeToJs(info.Env(), port.get_shape()); });
}
Napi::Value OutputWrap::PartialShape(const Napi::CallbackInfo& info) { return PartialShapeWrap::Wrap(info.Env(), port.get_partial_shape()); }

// ---- Model ----
namespace {
template <typename Ports>
Napi::Array portsToJs(Napi::Env env, const Ports& ports, std::shared_ptr<const void> owner) {
  auto a = Napi::Array::New(env, ports.size());
  for (size_t i = 0; i < ports.size(); i++)
    a.Set(static_cast<uint32_t>(i), OutputWrap::Wrap(env, ov::Output<const ov::Node>(ports[i].get_node(), ports[i].get_index()), owner));
  return a;
}
/** The port picked by (), (index) or (name). */
template <typename Ports>
ov::Output<const ov::Node> pickPort(const Napi::CallbackInfo& info, const Ports& ports, const char* what) {
  auto env = info.Env();
  if (info.Length() == 0 || info[0].IsUndefined()) {
    if (ports.size() != 1) throwJs(env, std::string("the model has ") + std::to_string(ports.size()) + " " + what + "s: give an index or a name");
    return ov::Output<const ov::Node>(ports[0].get_node(), ports[0].get_index());
  }
  if (info[0].IsNumber()) {
    int64_t i = info[0].As<Napi::Number>().Int64Value();
    if (i < 0 || static_cast<size_t>(i) >= ports.size()) throwJs(env, std::string(what) + " index " + std::to_string(i) + " out of range");
    return ov::Output<const ov::Node>(ports[i].get_node(), ports[i].get_index());
  }
  std::string name = info[0].ToString().Utf8Value();
  for (auto& p : ports)
    if (p.get_names().count(name)) return ov::Output<const ov::Node>(p.get_node(), p.get_index());
  throwJs(env, std::string("no ") + what + " named '" + name + "'");
}
ov::PartialShape partialShapeFromJs(const Napi::Value& v) {
  auto env = v.Env();
  if (v.IsString()) return ov::PartialShape(v.As<Napi::String>().Utf8Value());
  if (v.IsObject() && v.As<Napi::Object>().InstanceOf(addonData(env).partialShape.Value())) return PartialShapeWrap::Unwrap(v.As<Napi::Object>())->shape;
  throwJs(env, "a shape must be a PartialShape or a string like '[1,3,416,416]'");
}
}  // namespace

Napi::Function ModelWrap::Init(Napi::Env env) {
  return DefineClass(env, "Model",
                     {InstanceAccessor<&ModelWrap::Inputs>("inputs"), InstanceAccessor<&ModelWrap::Outputs>("outputs"),
                      InstanceMethod<&ModelWrap::Input>("input"), InstanceMethod<&ModelWrap::Output>("output"),
                      InstanceMethod<&ModelWrap::GetName>("getName"), InstanceMethod<&ModelWrap::GetFriendlyName>("getFriendlyName"),
                      InstanceMethod<&ModelWrap::SetFriendlyName>("setFriendlyName"), InstanceMethod<&ModelWrap::IsDynamic>("isDynamic"),
                      InstanceMethod<&ModelWrap::GetOutputSize>("getOutputSize"), InstanceMethod<&ModelWrap::GetOutputShape>("getOutputShape"),
                      InstanceMethod<&ModelWrap::GetOutputElementType>("getOutputElementType"), InstanceMethod<&ModelWrap::Reshape>("reshape"),
                      InstanceMethod<&ModelWrap::Clone>("clone"), InstanceMethod<&ModelWrap::GetOps>("getOps")});
}
ModelWrap::ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {}
Napi::Object ModelWrap::Wrap(Napi::Env env, std::shared_ptr<ov::Model> m) {
  auto obj = addonData(env).model.New({});
  Unwrap(obj)->model = std::move(m);
  return obj;
}
Napi::Value ModelWrap::Inputs(const Napi::CallbackInfo& info) { return portsToJs(info.Env(), model->inputs(), model); }
Napi::Value ModelWrap::Outputs(const Napi::CallbackInfo& info) { return portsToJs(info.Env(), model->outputs(), model); }
Napi::Value ModelWrap::Input(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return OutputWrap::Wrap(info.Env(), pickPort(info, model->inputs(), "input"), model); });
}
Napi::Value ModelWrap::Output(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return OutputWrap::Wrap(info.Env(), pickPort(info, model->outputs(), "output"), model); });
}
Napi::Value ModelWrap::GetName(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), model->get_name()); }
Napi::Value ModelWrap::GetFriendlyName(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), model->get_friendly_name()); }
void ModelWrap::SetFriendlyName(const Napi::CallbackInfo& info) { model->set_friendly_name(info[0].ToString().Utf8Value()); }
Napi::Value ModelWrap::IsDynamic(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), model->is_dynamic()); }
Napi::Value ModelWrap::GetOutputSize(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(model->get_output_size())); }
Napi::Value ModelWrap::GetOutputShape(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return shapeToJs(info.Env(), model->get_output_shape(info[0].As<Napi::Number>().Uint32Value())); });
}
Napi::Value ModelWrap::GetOutputElementType(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return Napi::String::New(info.Env(), elementName(model->get_output_element_type(info[0].As<Napi::Number>().Uint32Value()))); });
}
Napi::Value ModelWrap::Reshape(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 1) throwJs(env, "reshape(shape)");
    if (info[0].IsString() || (info[0].IsObject() && info[0].As<Napi::Object>().InstanceOf(addonData(env).partialShape.Value()))) {
      model->reshape(partialShapeFromJs(info[0]));
    } else if (info[0].IsObject()) {
      // Map<index | name | Output, shape>
      std::map<ov::Output<ov::Node>, ov::PartialShape> shapes;
      auto entries = info[0].As<Napi::Object>().Get("entries").As<Napi::Function>().Call(info[0], {}).As<Napi::Object>();
      auto next = entries.Get("next").As<Napi::Function>();
      for (;;) {
        auto r = next.Call(entries, {}).As<Napi::Object>();
        if (r.Get("done").ToBoolean().Value()) break;
        auto kv = r.Get("value").As<Napi::Array>();
        Napi::Value k = kv.Get(0u);
        ov::Output<ov::Node> port;
        if (k.IsNumber()) port = model->input(k.As<Napi::Number>().Uint32Value());
        else if (k.IsString()) port = model->input(k.As<Napi::String>().Utf8Value());
        else port = model->input(OutputWrap::Unwrap(k.As<Napi::Object>())->port.get_any_name());
        shapes[port] = partialShapeFromJs(kv.Get(1u));
      }
      model->reshape(shapes);
    } else {
      throwJs(env, "reshape(shape): shape must be a PartialShape, a string or a Map");
    }
    return info.This();
  });
}
Napi::Value ModelWrap::Clone(const Napi::CallbackInfo& info) { return Wrap(info.Env(), model->clone()); }
Napi::Value ModelWrap::GetOps(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto ops = model->get_ordered_ops();
  auto a = Napi::Array::New(env, ops.size());
  for (size_t i = 0; i < ops.size(); i++) {
    auto o = Napi::Object::New(env);
    std::string name = ops[i]->get_friendly_name(), type = ops[i]->get_type_name();
    o.Set("getName", Napi::Function::New(env, [name](const Napi::CallbackInfo& ci) { return Napi::String::New(ci.Env(), name); }));
    o.Set("getType", Napi::Function::New(env, [type](const Napi::CallbackInfo& ci) { return Napi::String::New(ci.Env(), type); }));
    a.Set(static_cast<uint32_t>(i), o);
  }
  return a;
}
