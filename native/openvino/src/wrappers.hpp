// Classes of our openvino-node-compatible addon: each wraps one OpenVINO C++ object; the JS surface
// follows openvino-node's typings (types/addon.d.ts of the npm package).
#pragma once
#include <napi.h>

#include <memory>
#include <mutex>
#include <openvino/openvino.hpp>
#include <queue>
#include <string>
#include <vector>

/** Constructors kept per environment (Napi instance data), for creating wrapped objects from C++. */
struct AddonData {
  Napi::FunctionReference tensor, model, output, partialShape, compiledModel, inferRequest;
};
AddonData& addonData(Napi::Env env);

// ---- conversions (convert.cc) ----
ov::element::Type elementFromJs(const Napi::Value& v);
std::string elementName(const ov::element::Type& t);
int elementEnumIndex(const ov::element::Type& t);
ov::Shape shapeFromJs(const Napi::Value& v);
Napi::Array shapeToJs(Napi::Env env, const ov::Shape& s);
ov::AnyMap anyMapFromJs(const Napi::Value& v);
Napi::Value anyToJs(Napi::Env env, const ov::Any& a);
[[noreturn]] void throwJs(Napi::Env env, const std::string& msg);
/** Runs f, turning C++ exceptions into JS errors (the message's first line). */
template <typename F>
auto guarded(Napi::Env env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string m = e.what();
    throw Napi::Error::New(env, m);
  }
}

class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit TensorWrap(const Napi::CallbackInfo& info);
  static Napi::Object Wrap(Napi::Env env, const ov::Tensor& t);
  /** A tensor for a JS Tensor object or typed array (typed arrays get `port`'s type and shape). */
  static ov::Tensor FromJs(Napi::Env env, const Napi::Value& v, const ov::Output<const ov::Node>& port, Napi::Reference<Napi::Value>* keep);
  ov::Tensor tensor;

 private:
  Napi::ObjectReference source;  // typed array whose memory the tensor shares
  Napi::Value GetData(const Napi::CallbackInfo& info);
  Napi::Value GetShape(const Napi::CallbackInfo& info);
  Napi::Value GetSize(const Napi::CallbackInfo& info);
  Napi::Value GetElementType(const Napi::CallbackInfo& info);
  Napi::Value IsContinuous(const Napi::CallbackInfo& info);
  void SetShape(const Napi::CallbackInfo& info);
  void CopyTo(const Napi::CallbackInfo& info);
};

class PartialShapeWrap : public Napi::ObjectWrap<PartialShapeWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit PartialShapeWrap(const Napi::CallbackInfo& info);
  static Napi::Object Wrap(Napi::Env env, const ov::PartialShape& s);
  ov::PartialShape shape;

 private:
  Napi::Value IsStatic(const Napi::CallbackInfo& info);
  Napi::Value IsDynamic(const Napi::CallbackInfo& info);
  Napi::Value ToString(const Napi::CallbackInfo& info);
  Napi::Value GetDimensions(const Napi::CallbackInfo& info);
};

class OutputWrap : public Napi::ObjectWrap<OutputWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit OutputWrap(const Napi::CallbackInfo& info);
  static Napi::Object Wrap(Napi::Env env, const ov::Output<const ov::Node>& o, std::shared_ptr<const void> owner);
  ov::Output<const ov::Node> port;
  std::shared_ptr<const void> owner;  // model / compiled model the port belongs to

 private:
  Napi::Value AnyName(const Napi::CallbackInfo& info);
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value PartialShape(const Napi::CallbackInfo& info);
};

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit ModelWrap(const Napi::CallbackInfo& info);
  static Napi::Object Wrap(Napi::Env env, std::shared_ptr<ov::Model> m);
  std::shared_ptr<ov::Model> model;

 private:
  Napi::Value Inputs(const Napi::CallbackInfo& info);
  Napi::Value Outputs(const Napi::CallbackInfo& info);
  Napi::Value Input(const Napi::CallbackInfo& info);
  Napi::Value Output(const Napi::CallbackInfo& info);
  Napi::Value GetName(const Napi::CallbackInfo& info);
  Napi::Value GetFriendlyName(const Napi::CallbackInfo& info);
  void SetFriendlyName(const Napi::CallbackInfo& info);
  Napi::Value IsDynamic(const Napi::CallbackInfo& info);
  Napi::Value GetOutputSize(const Napi::CallbackInfo& info);
  Napi::Value GetOutputShape(const Napi::CallbackInfo& info);
  Napi::Value GetOutputElementType(const Napi::CallbackInfo& info);
  Napi::Value Reshape(const Napi::CallbackInfo& info);
  Napi::Value Clone(const Napi::CallbackInfo& info);
  Napi::Value GetOps(const Napi::CallbackInfo& info);
};

class CompiledModelWrap : public Napi::ObjectWrap<CompiledModelWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit CompiledModelWrap(const Napi::CallbackInfo& info);
  static Napi::Object Wrap(Napi::Env env, const ov::CompiledModel& cm);
  std::shared_ptr<ov::CompiledModel> compiled;

 private:
  Napi::Value Inputs(const Napi::CallbackInfo& info);
  Napi::Value Outputs(const Napi::CallbackInfo& info);
  Napi::Value Input(const Napi::CallbackInfo& info);
  Napi::Value Output(const Napi::CallbackInfo& info);
  Napi::Value CreateInferRequest(const Napi::CallbackInfo& info);
  Napi::Value GetProperty(const Napi::CallbackInfo& info);
  void SetProperty(const Napi::CallbackInfo& info);
  Napi::Value ExportModelSync(const Napi::CallbackInfo& info);
};

class InferRequestWrap : public Napi::ObjectWrap<InferRequestWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit InferRequestWrap(const Napi::CallbackInfo& info);
  static Napi::Object Wrap(Napi::Env env, const ov::InferRequest& r, Napi::Object compiledJs);
  /** Binds inputs given as {name: Tensor|TypedArray} or [Tensor|TypedArray] (by position). */
  static void SetInputs(Napi::Env env, ov::InferRequest& r, const Napi::Value& inputs, std::vector<Napi::Reference<Napi::Value>>& keep);
  static Napi::Object OutputsToJs(Napi::Env env, ov::InferRequest& r);
  ov::InferRequest request;
  Napi::ObjectReference compiledJs;
  std::vector<Napi::Reference<Napi::Value>> keep;

 private:
  Napi::Value Infer(const Napi::CallbackInfo& info);
  Napi::Value InferAsync(const Napi::CallbackInfo& info);
  Napi::Value GetCompiledModel(const Napi::CallbackInfo& info);
  Napi::Value GetTensor(const Napi::CallbackInfo& info);
  Napi::Value GetInputTensor(const Napi::CallbackInfo& info);
  Napi::Value GetOutputTensor(const Napi::CallbackInfo& info);
  void SetTensor(const Napi::CallbackInfo& info);
  void SetInputTensor(const Napi::CallbackInfo& info);
  void SetOutputTensor(const Napi::CallbackInfo& info);
  Napi::Value GetProfilingInfo(const Napi::CallbackInfo& info);
};

class AsyncInferQueueWrap : public Napi::ObjectWrap<AsyncInferQueueWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit AsyncInferQueueWrap(const Napi::CallbackInfo& info);
  ~AsyncInferQueueWrap();

 private:
  struct Job {
    Napi::ObjectReference inputs, userData;
    std::shared_ptr<Napi::Promise::Deferred> deferred;
  };
  struct Slot {
    ov::InferRequest request;
    Napi::ObjectReference js;  // the InferRequest object handed to the callback
    Napi::ObjectReference userData;
    std::shared_ptr<Napi::Promise::Deferred> deferred;
    std::vector<Napi::Reference<Napi::Value>> keep;
  };
  void SetCallback(const Napi::CallbackInfo& info);
  Napi::Value StartAsync(const Napi::CallbackInfo& info);
  void Release(const Napi::CallbackInfo& info);
  void Start(Napi::Env env, size_t slot, Job job);
  void Finished(Napi::Env env, size_t slot, std::exception_ptr err);

  std::vector<std::unique_ptr<Slot>> slots;
  std::vector<size_t> idle;
  std::queue<Job> waiting;
  Napi::FunctionReference callback;
  Napi::ThreadSafeFunction tsfn;
  size_t inFlight = 0;
  bool released = false;
  Napi::ObjectReference compiledJs;
};

class CoreWrap : public Napi::ObjectWrap<CoreWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit CoreWrap(const Napi::CallbackInfo& info);
  std::shared_ptr<ov::Core> core;

 private:
  Napi::Value ReadModelSync(const Napi::CallbackInfo& info);
  Napi::Value ReadModel(const Napi::CallbackInfo& info);
  Napi::Value CompileModelSync(const Napi::CallbackInfo& info);
  Napi::Value CompileModel(const Napi::CallbackInfo& info);
  Napi::Value GetAvailableDevices(const Napi::CallbackInfo& info);
  Napi::Value GetProperty(const Napi::CallbackInfo& info);
  void SetProperty(const Napi::CallbackInfo& info);
  Napi::Value GetVersions(const Napi::CallbackInfo& info);
  Napi::Value QueryModel(const Napi::CallbackInfo& info);
};
