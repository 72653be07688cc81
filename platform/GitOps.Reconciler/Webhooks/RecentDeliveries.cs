namespace GitOps.Reconciler.Webhooks;

/// <summary>Webhook delivery ids handled lately, oldest forgotten first: a delivery GitHub sends again, or one this
/// replica received and then saw relayed, triggers nothing a second time.</summary>
public sealed class RecentDeliveries(int capacity = 1024)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>True when <paramref name="id"/> was not among the recent deliveries (it is now).</summary>
    public bool Add(string id)
    {
        lock (_gate)
        {
            if (!_seen.Add(id))
            {
                return false;
            }
            _order.Enqueue(id);
            if (_order.Count > capacity)
            {
                _seen.Remove(_order.Dequeue());
            }
            return true;
        }
    }
}
