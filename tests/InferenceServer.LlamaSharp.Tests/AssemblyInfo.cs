// llama.cpp's log callback and loader configuration are process-wide: run these tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
