namespace InferenceServer.Core.Engine;

/// <summary>
/// The FIFO of jobs waiting for a slot. A tiny lock guards a linked list: HTTP threads append and remove cancelled
/// jobs, the loop takes from the head and puts preempted jobs back at the head. Nobody holds it across a decode.
/// </summary>
internal sealed class JobQueue
{
    private readonly LinkedList<InferenceJob> _jobs = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _jobs.Count;
            }
        }
    }

    public void Enqueue(InferenceJob job)
    {
        lock (_lock)
        {
            _jobs.AddLast(job);
        }
    }

    /// <summary>Puts a preempted job back first in line.</summary>
    public void EnqueueFront(InferenceJob job)
    {
        lock (_lock)
        {
            _jobs.AddFirst(job);
        }
    }

    public bool Remove(InferenceJob job)
    {
        lock (_lock)
        {
            return _jobs.Remove(job);
        }
    }

    /// <summary>Removes the job only if it was never admitted (a preempted job's state belongs to the loop).</summary>
    public bool RemoveIfNeverAdmitted(InferenceJob job)
    {
        lock (_lock)
        {
            return job.Sequence is null && _jobs.Remove(job);
        }
    }

    /// <summary>Takes every cancelled job out of the queue (the loop completes them on its own thread).</summary>
    public List<InferenceJob>? RemoveCancelled()
    {
        List<InferenceJob>? removed = null;
        lock (_lock)
        {
            for (LinkedListNode<InferenceJob>? node = _jobs.First; node is not null;)
            {
                LinkedListNode<InferenceJob>? next = node.Next;
                if (node.Value.IsCancelled)
                {
                    (removed ??= []).Add(node.Value);
                    _jobs.Remove(node);
                }

                node = next;
            }
        }

        return removed;
    }

    /// <summary>Takes the head job if <paramref name="fits"/> accepts it (FIFO: a head that does not fit blocks the rest).</summary>
    public bool TryDequeueIf(Func<InferenceJob, bool> fits, out InferenceJob? job)
    {
        lock (_lock)
        {
            LinkedListNode<InferenceJob>? head = _jobs.First;
            if (head is not null && fits(head.Value))
            {
                _jobs.RemoveFirst();
                job = head.Value;
                return true;
            }
        }

        job = null;
        return false;
    }

    public List<InferenceJob> DrainAll()
    {
        lock (_lock)
        {
            var all = _jobs.ToList();
            _jobs.Clear();
            return all;
        }
    }
}
