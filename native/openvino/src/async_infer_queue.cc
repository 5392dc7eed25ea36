// AsyncInferQueue: a pool of infer requests running in parallel (ov::InferRequest::start_async);
// completions come back to the JS thread through a thread-safe function. startAsync(inputs, userData)
// queues when every request is busy and resolves with userData after the callback has run.
#include "wrappers.hpp"

namespace {
struct Done {
  size_t slot;
  std::exception_ptr err;
};
std::string messageOf(std::exception_ptr e) {
  try { std::rethrow_exception(e); } catch (const std::exception& x) { return x.what(); } catch (...) { return "inference failed"; }
}
}  // namespace

Napi::Function AsyncInferQueueWrap::Init(Napi::Env env) {
  return DefineClass(env, "AsyncInferQueue",
                     {InstanceMethod<&AsyncInferQueueWrap::SetCallback>("setCallback"),
                      InstanceMethod<&AsyncInferQueueWrap::StartAsync>("startAsync"),
                      InstanceMethod<&AsyncInferQueueWrap::Release>("release")});
}

AsyncInferQueueWrap::AsyncInferQueueWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AsyncInferQueueWrap>(info) {
  auto env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject() || !info[0].As<Napi::Object>().InstanceOf(addonData(env).compiledModel.Value()))
    throwJs(env, "new AsyncInferQueue(compiledModel, jobs?)");
  compiledJs = Napi::Persistent(info[0].As<Napi::Object>());
  auto compiled = CompiledModelWrap::Unwrap(info[0].As<Napi::Object>())->compiled;
  guarded(env, [&] {
    size_t jobs = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 0;
    if (jobs == 0) jobs = compiled->get_property(ov::optimal_number_of_infer_requests);
    for (size_t i = 0; i < jobs; i++) {
      auto s = std::make_unique<Slot>();
      s->request = compiled->create_infer_request();
      s->js = Napi::Persistent(InferRequestWrap::Wrap(env, s->request, compiledJs.Value()));
      slots.push_back(std::move(s));
      idle.push_back(i);
    }
    return 0;
  });
  tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "ovAsyncInferQueue", 0, 1);
  tsfn.Unref(env);
  for (size_t i = 0; i < slots.size(); i++) {
    slots[i]->request.set_callback([this, i](std::exception_ptr err) {
      auto* d = new Done{i, err};
      tsfn.NonBlockingCall(d, [this](Napi::Env env, Napi::Function, Done* d) {
        Finished(env, d->slot, d->err);
        delete d;
      });
    });
  }
}

AsyncInferQueueWrap::~AsyncInferQueueWrap() {
  if (!released) {
    released = true;
    tsfn.Release();
  }
}

void AsyncInferQueueWrap::SetCallback(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) throwJs(info.Env(), "setCallback(callback)");
  callback = Napi::Persistent(info[0].As<Napi::Function>());
}

Napi::Value AsyncInferQueueWrap::StartAsync(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (released) throwJs(env, "the AsyncInferQueue was released");
  if (info.Length() < 1 || !info[0].IsObject()) throwJs(env, "startAsync(inputs, userData?)");
  Job job;
  job.inputs = Napi::Persistent(info[0].As<Napi::Object>());
  job.userData = Napi::Persistent(info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env));
  job.deferred = std::make_shared<Napi::Promise::Deferred>(Napi::Promise::Deferred::New(env));
  auto promise = job.deferred->Promise();
  if (idle.empty()) {
    waiting.push(std::move(job));
  } else {
    size_t s = idle.back();
    idle.pop_back();
    Start(env, s, std::move(job));
  }
  return promise;
}

void AsyncInferQueueWrap::Start(Napi::Env env, size_t s, Job job) {
  Slot& slot = *slots[s];
  slot.userData = std::move(job.userData);
  slot.deferred = job.deferred;
  try {
    InferRequestWrap::SetInputs(env, slot.request, job.inputs.Value(), slot.keep);
    if (inFlight++ == 0) {
      tsfn.Ref(env);
      Ref();  // keep this object alive while requests run
    }
    slot.request.start_async();
  } catch (const Napi::Error& e) {
    idle.push_back(s);
    job.deferred->Reject(e.Value());
  } catch (const std::exception& e) {
    idle.push_back(s);
    job.deferred->Reject(Napi::Error::New(env, e.what()).Value());
  }
}

void AsyncInferQueueWrap::Finished(Napi::Env env, size_t s, std::exception_ptr err) {
  Napi::HandleScope scope(env);
  Slot& slot = *slots[s];
  auto deferred = slot.deferred;
  Napi::Value userData = slot.userData.Value();
  bool ok = !err;
  Napi::Value error = ok ? env.Null() : Napi::Error::New(env, messageOf(err)).Value();
  if (!callback.IsEmpty()) {
    try {
      callback.Call({error, slot.js.Value(), userData});
    } catch (const Napi::Error& e) {
      ok = false;
      error = e.Value();
    }
  }
  if (ok) deferred->Resolve(userData);
  else deferred->Reject(error);
  idle.push_back(s);
  if (--inFlight == 0) {
    tsfn.Unref(env);
    Unref();
  }
  if (!waiting.empty() && !released) {
    Job next = std::move(waiting.front());
    waiting.pop();
    size_t i = idle.back();
    idle.pop_back();
    Start(env, i, std::move(next));
  }
  if (released && inFlight == 0 && waiting.empty()) tsfn.Release();
}

void AsyncInferQueueWrap::Release(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (released) return;
  released = true;
  while (!waiting.empty()) {
    waiting.front().deferred->Reject(Napi::Error::New(env, "the AsyncInferQueue was released").Value());
    waiting.pop();
  }
  if (inFlight == 0) tsfn.Release();
}
