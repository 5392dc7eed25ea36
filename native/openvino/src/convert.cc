// JS ⇄ OpenVINO value conversions: element types, shapes, property maps.
#include "wrappers.hpp"

namespace {
// Order of openvino-node's `element` enum (u8 = 0 … string = 10).
const std::vector<std::pair<std::string, ov::element::Type>> kElements = {
    {"u8", ov::element::u8},   {"u32", ov::element::u32}, {"u16", ov::element::u16}, {"u64", ov::element::u64},
    {"i8", ov::element::i8},   {"i16", ov::element::i16}, {"i32", ov::element::i32}, {"i64", ov::element::i64},
    {"f32", ov::element::f32}, {"f64", ov::element::f64}, {"string", ov::element::string}};
}  // namespace

void throwJs(Napi::Env env, const std::string& msg) { throw Napi::Error::New(env, msg); }

ov::element::Type elementFromJs(const Napi::Value& v) {
  if (v.IsNumber()) {
    int i = v.As<Napi::Number>().Int32Value();
    if (i < 0 || i >= static_cast<int>(kElements.size())) throwJs(v.Env(), "unknown element type " + std::to_string(i));
    return kElements[i].second;
  }
  if (v.IsString()) {
    std::string s = v.As<Napi::String>().Utf8Value();
    for (auto& e : kElements)
      if (e.first == s) return e.second;
    if (s == "f16") return ov::element::f16;
    if (s == "bf16") return ov::element::bf16;
    throwJs(v.Env(), "unknown element type '" + s + "'");
  }
  throwJs(v.Env(), "element type must be a string or an element enum value");
}

std::string elementName(const ov::element::Type& t) { return t.get_type_name(); }

int elementEnumIndex(const ov::element::Type& t) {
  for (size_t i = 0; i < kElements.size(); i++)
    if (kElements[i].second == t) return static_cast<int>(i);
  return -1;
}

ov::Shape shapeFromJs(const Napi::Value& v) {
  if (!v.IsArray()) throwJs(v.Env(), "shape must be an array of non-negative integers");
  auto a = v.As<Napi::Array>();
  ov::Shape s;
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value d = a.Get(i);
    if (!d.IsNumber() || d.As<Napi::Number>().DoubleValue() < 0) throwJs(v.Env(), "shape must be an array of non-negative integers");
    s.push_back(static_cast<size_t>(d.As<Napi::Number>().Int64Value()));
  }
  return s;
}

Napi::Array shapeToJs(Napi::Env env, const ov::Shape& s) {
  auto a = Napi::Array::New(env, s.size());
  for (size_t i = 0; i < s.size(); i++) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(s[i])));
  return a;
}

ov::AnyMap anyMapFromJs(const Napi::Value& v) {
  ov::AnyMap m;
  if (v.IsUndefined() || v.IsNull()) return m;
  if (!v.IsObject()) throwJs(v.Env(), "config must be an object of properties");
  auto o = v.As<Napi::Object>();
  auto keys = o.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string k = keys.Get(i).ToString().Utf8Value();
    Napi::Value val = o.Get(k);
    // Properties are parsed from strings by the plugins (ov::util::Read), as the official addon passes them.
    if (val.IsBoolean()) m[k] = std::string(val.As<Napi::Boolean>().Value() ? "YES" : "NO");
    else m[k] = val.ToString().Utf8Value();
  }
  return m;
}

Napi::Value anyToJs(Napi::Env env, const ov::Any& a) {
  if (a.empty()) return env.Undefined();
  if (a.is<bool>()) return Napi::Boolean::New(env, a.as<bool>());
  if (a.is<int32_t>()) return Napi::Number::New(env, a.as<int32_t>());
  if (a.is<uint32_t>()) return Napi::Number::New(env, a.as<uint32_t>());
  if (a.is<int64_t>()) return Napi::Number::New(env, static_cast<double>(a.as<int64_t>()));
  if (a.is<uint64_t>()) return Napi::Number::New(env, static_cast<double>(a.as<uint64_t>()));
  if (a.is<size_t>()) return Napi::Number::New(env, static_cast<double>(a.as<size_t>()));
  if (a.is<float>()) return Napi::Number::New(env, a.as<float>());
  if (a.is<double>()) return Napi::Number::New(env, a.as<double>());
  if (a.is<std::string>()) return Napi::String::New(env, a.as<std::string>());
  if (a.is<std::vector<std::string>>()) {
    auto v = a.as<std::vector<std::string>>();
    auto arr = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); i++) arr.Set(static_cast<uint32_t>(i), Napi::String::New(env, v[i]));
    return arr;
  }
  if (a.is<std::vector<ov::PropertyName>>()) {
    auto v = a.as<std::vector<ov::PropertyName>>();
    auto arr = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); i++) arr.Set(static_cast<uint32_t>(i), Napi::String::New(env, v[i]));
    return arr;
  }
  return Napi::String::New(env, a.as<std::string>());
}
