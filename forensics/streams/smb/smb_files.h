// File extraction for SMB1 and SMB2/3: a DataObserver that stores READ response data (downloads)
// and WRITE request data (uploads) of each file id at their offsets through the context's FileSink,
// and closes the files at CLOSE (or the end of the flow) with the end of file as the declared size.
// Named pipes (IPC$) and directories are not files. At most Limits::max_pending_transactions files
// are open per session; past it a file is not stored
// ("smb.too_many_extracted_files").
#pragma once

#include <memory>

#include "forensics/streams/smb/smb_session.h"

namespace netcap::app::smb {

// The observer for one session, or nullptr when ctx.files() is null.
std::unique_ptr<DataObserver> make_file_observer(AppContext& ctx);

}  // namespace netcap::app::smb
