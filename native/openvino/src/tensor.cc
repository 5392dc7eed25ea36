// Tensor: an ov::Tensor; made from a typed array it shares that array's memory (as openvino-node does).
#include "wrappers.hpp"

namespace {
napi_typedarray_type typedArrayType(const ov::element::Type& t) {
  switch (t) {
    case ov::element::Type_t::i8: return napi_int8_array;
    case ov::element::Type_t::u8: return napi_uint8_array;
    case ov::element::Type_t::i16: return napi_int16_array;
    case ov::element::Type_t::u16: return napi_uint16_array;
    case ov::element::Type_t::i32: return napi_int32_array;
    case ov::element::Type_t::u32: return napi_uint32_array;
    case ov::element::Type_t::f32: return napi_float32_array;
    case ov::element::Type_t::f64: return napi_float64_array;
    case ov::element::Type_t::i64: return napi_bigint64_array;
    case ov::element::Type_t::u64: return napi_biguint64_array;
    default: return napi_uint8_array;  // f16/bf16 and others: raw bytes
  }
}

size_t typedArrayElementSize(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

/** A JS typed array viewing the tensor's memory; the ArrayBuffer keeps the tensor alive. */
Napi::Value viewOf(Napi::Env env, const ov::Tensor& t) {
  auto type = typedArrayType(t.get_element_type());
  size_t bytes = t.get_byte_size();
  auto* hold = new ov::Tensor(t);
  auto ab = Napi::ArrayBuffer::New(env, const_cast<void*>(t.data()), bytes, [](Napi::Env, void*, ov::Tensor* h) { delete h; }, hold);
  size_t n = bytes / typedArrayElementSize(type);
  napi_value out;
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, n, ab, 0, &out), Napi::Value());
  return Napi::Value(env, out);
}
}  // namespace

Napi::Function TensorWrap::Init(Napi::Env env) {
  return DefineClass(env, "Tensor",
                     {InstanceAccessor<&TensorWrap::GetData>("data"),
                      InstanceMethod<&TensorWrap::GetData>("getData"),
                      InstanceMethod<&TensorWrap::GetShape>("getShape"),
                      InstanceMethod<&TensorWrap::GetSize>("getSize"),
                      InstanceMethod<&TensorWrap::GetElementType>("getElementType"),
                      InstanceMethod<&TensorWrap::IsContinuous>("isContinuous"),
                      InstanceMethod<&TensorWrap::SetShape>("setShape"),
                      InstanceMethod<&TensorWrap::CopyTo>("copyTo")});
}

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {
  auto env = info.Env();
  if (info.Length() == 0) return;  // filled in by Wrap()
  guarded(env, [&] {
    if (info.Length() == 1 && info[0].IsArray()) throwJs(env, "string tensors are not supported by this build");
    if (info.Length() < 2) throwJs(env, "new Tensor(type, shape[, data])");
    ov::element::Type type = elementFromJs(info[0]);
    ov::Shape shape = shapeFromJs(info[1]);
    if (info.Length() < 3 || info[2].IsUndefined()) {
      tensor = ov::Tensor(type, shape);
      return 0;
    }
    if (!info[2].IsTypedArray()) throwJs(env, "tensor data must be a typed array");
    auto ta = info[2].As<Napi::TypedArray>();
    size_t bytes = ta.ByteLength();
    size_t want = ov::shape_size(shape) * type.size();
    if (bytes != want) throwJs(env, "memory size " + std::to_string(bytes) + " does not match the tensor's " + std::to_string(want) + " bytes");
    void* ptr = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    tensor = ov::Tensor(type, shape, ptr);
    source = Napi::Persistent(info[2].As<Napi::Object>());
    return 0;
  });
}

Napi::Object TensorWrap::Wrap(Napi::Env env, const ov::Tensor& t) {
  auto obj = addonData(env).tensor.New({});
  Unwrap(obj)->tensor = t;
  return obj;
}

ov::Tensor TensorWrap::FromJs(Napi::Env env, const Napi::Value& v, const ov::Output<const ov::Node>& port, Napi::Reference<Napi::Value>* keep) {
  if (v.IsTypedArray()) {
    auto ta = v.As<Napi::TypedArray>();
    if (port.get_partial_shape().is_dynamic()) throwJs(env, "input '" + port.get_any_name() + "' has a dynamic shape: pass a Tensor, not a typed array");
    ov::Shape shape = port.get_shape();
    ov::element::Type type = port.get_element_type();
    size_t want = ov::shape_size(shape) * type.size();
    if (ta.ByteLength() != want) throwJs(env, "memory size " + std::to_string(ta.ByteLength()) + " does not match input '" + port.get_any_name() + "' (" + std::to_string(want) + " bytes)");
    if (keep) *keep = Napi::Persistent(v);
    return ov::Tensor(type, shape, static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
  }
  if (v.IsObject() && v.As<Napi::Object>().InstanceOf(addonData(env).tensor.Value())) {
    if (keep) *keep = Napi::Persistent(v);
    return Unwrap(v.As<Napi::Object>())->tensor;
  }
  throwJs(env, "inputs must be Tensor objects or typed arrays");
}

Napi::Value TensorWrap::GetData(const Napi::CallbackInfo& info) {
  if (!source.IsEmpty()) return source.Value();
  return viewOf(info.Env(), tensor);
}
Napi::Value TensorWrap::GetShape(const Napi::CallbackInfo& info) { return shapeToJs(info.Env(), tensor.get_shape()); }
Napi::Value TensorWrap::GetSize(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(tensor.get_size())); }
Napi::Value TensorWrap::GetElementType(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), elementEnumIndex(tensor.get_element_type())); }
Napi::Value TensorWrap::IsContinuous(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), tensor.is_continuous()); }
void TensorWrap::SetShape(const Napi::CallbackInfo& info) {
  guarded(info.Env(), [&] { tensor.set_shape(shapeFromJs(info[0])); return 0; });
}
void TensorWrap::CopyTo(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject() || !info[0].As<Napi::Object>().InstanceOf(addonData(env).tensor.Value())) throwJs(env, "copyTo(tensor)");
  guarded(env, [&] { tensor.copy_to(Unwrap(info[0].As<Napi::Object>())->tensor); return 0; });
}
